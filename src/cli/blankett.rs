//! `etjanst blankett`: an e-service's PDF blankett saved as it is, its form fields listed, or
//! filled in from a JSON file into a new PDF ([`etjanst::blankett`]).

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use etjanst::blankett::{self, FillOptions, Values};
use etjanst::catalogue::{self, Catalogue};
use etjanst::fill::Lang;

use super::Failure;

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub(crate) struct BlankettArgs {
    #[command(subcommand)]
    action: Option<BlankettCommand>,
    /// Service id or alias (with --site: the e-service's number on that site).
    #[arg(required = true)]
    flow: Option<String>,
    #[arg(long)]
    site: Option<String>,
    /// Where to save the blankett.
    #[arg(short, long, value_name = "FILE", required = true)]
    output: Option<PathBuf>,
}

#[derive(Subcommand)]
enum BlankettCommand {
    /// List the blankett's form fields: name, kind, choices, the format its name announces.
    Fields {
        flow: String,
        #[arg(long)]
        site: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Fill the blankett's fields into a new PDF; scripts and XFA are removed.
    Fill {
        flow: String,
        #[arg(long)]
        site: Option<String>,
        /// A JSON object: field name → text, choice, radio state, or true/false for a check box.
        #[arg(long, value_name = "FILE")]
        values: PathBuf,
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        /// Draw the values into the pages and leave no fields.
        #[arg(long)]
        flatten: bool,
    },
}

pub(crate) fn run(catalogue: &Catalogue, lang: Lang, args: BlankettArgs) -> Result<u8, Failure> {
    match args.action {
        None => {
            let (Some(flow), Some(output)) = (args.flow, args.output) else {
                return Err(Failure::input("etjanst blankett FLOW -o FILE"));
            };
            let bytes = super::browse::blankett_bytes(catalogue, lang, flow, args.site)?;
            catalogue::write_atomic(&output, &bytes)?;
            Ok(0)
        }
        Some(BlankettCommand::Fields { flow, site, json }) => {
            let bytes = super::browse::blankett_bytes(catalogue, lang, flow, site)?;
            let b = blankett::inspect(&bytes).map_err(Failure::input)?;
            let mut out = std::io::stdout().lock();
            if json {
                serde_json::to_writer_pretty(&mut out, &b)?;
                writeln!(out)?;
                return Ok(0);
            }
            if !b.fillable() {
                let why = match b.kind {
                    blankett::FormKind::DynamicXfa => blankett::BlankettError::DynamicXfa,
                    _ => blankett::BlankettError::NoFields,
                };
                writeln!(out, "{why}")?;
                return Ok(0);
            }
            for f in &b.fields {
                let mut line = format!("{}\t{}", f.name, kind_word(f.kind, lang));
                if f.multiline {
                    line.push_str(&format!(" ({})", etjanst::t!(lang, "blankett-multiline")));
                }
                if !f.options.is_empty() {
                    let shown: Vec<String> = f
                        .options
                        .iter()
                        .map(|c| {
                            if c.label == c.value {
                                c.value.clone()
                            } else {
                                format!("{} ({})", c.value, c.label)
                            }
                        })
                        .collect();
                    line.push_str(&format!("\t{}", shown.join(" | ")));
                }
                if let Some(label) = &f.label {
                    line.push_str(&format!("\t\"{label}\""));
                }
                if f.required {
                    line.push_str(&format!("\t{}", etjanst::t!(lang, "blankett-required")));
                }
                writeln!(out, "{line}")?;
            }
            Ok(0)
        }
        Some(BlankettCommand::Fill {
            flow,
            site,
            values,
            output,
            flatten,
        }) => {
            let text = std::fs::read_to_string(&values)
                .map_err(|e| Failure::input(format!("{}: {e}", values.display())))?;
            let values: Values = serde_json::from_str(&text).map_err(|e| {
                Failure::input(format!(
                    "{}: {}",
                    values.display(),
                    etjanst::t!(lang, "blankett-values-json", detail = e.to_string())
                ))
            })?;
            let bytes = super::browse::blankett_bytes(catalogue, lang, flow, site)?;
            let b = blankett::inspect(&bytes).map_err(Failure::input)?;
            let problems = blankett::check(&b, &values, chrono::Local::now().date_naive(), lang);
            if !problems.is_empty() {
                let lines: Vec<String> = problems
                    .iter()
                    .map(|p| format!("{}: {}", p.field, p.message))
                    .collect();
                return Err(Failure::input(lines.join("\n")));
            }
            let filled =
                blankett::fill(&bytes, &values, FillOptions { flatten }).map_err(Failure::input)?;
            catalogue::write_atomic(&output, &filled)?;
            Ok(0)
        }
    }
}

fn kind_word(kind: blankett::FieldKind, lang: Lang) -> String {
    use blankett::FieldKind::*;
    match kind {
        Text => etjanst::t!(lang, "blankett-kind-text"),
        Check => etjanst::t!(lang, "blankett-kind-check"),
        Radio => etjanst::t!(lang, "blankett-kind-radio"),
        Choice => etjanst::t!(lang, "blankett-kind-choice"),
        Signature => etjanst::t!(lang, "blankett-kind-signature"),
    }
}
