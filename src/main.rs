//! `etjanst`: the command-line face of the core (`src/cli/`).

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
