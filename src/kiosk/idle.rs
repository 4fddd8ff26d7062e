//! When a visitor has gone: the deadline after the last input in the page, with a warning
//! before it (WCAG 2.2.1: the visitor is told and can ask for more time). Measured inside the
//! app, not by the desktop's idle API, so that it behaves alike under every kiosk shell; the
//! clock is given, so that tests need not wait.

use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct Idle {
    timeout: Duration,
    warning: Duration,
    last: Instant,
}

/// Where the visitor is on the way to the session's end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdleState {
    Active,
    /// The countdown is shown: this many seconds until the session ends.
    Warning {
        seconds_left: u64,
    },
    Expired,
}

impl Idle {
    /// `timeout` from the last input to the end; the warning shows for the last `warning` of
    /// it (all of it when the timeout is shorter).
    pub fn new(timeout: Duration, warning: Duration, now: Instant) -> Idle {
        Idle {
            timeout,
            warning: warning.min(timeout),
            last: now,
        }
    }

    /// The visitor did something ("Jag är kvar" included).
    pub fn touch(&mut self, now: Instant) {
        self.last = self.last.max(now);
    }

    pub fn state(&self, now: Instant) -> IdleState {
        let idle = now.saturating_duration_since(self.last);
        if idle >= self.timeout {
            IdleState::Expired
        } else if idle >= self.timeout - self.warning {
            IdleState::Warning {
                seconds_left: (self.timeout - idle).as_secs_f64().ceil() as u64,
            }
        } else {
            IdleState::Active
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_countdown_comes_before_the_end_and_input_puts_both_off() {
        let t0 = Instant::now();
        let s = Duration::from_secs;
        let mut idle = Idle::new(s(300), s(60), t0);
        assert_eq!(idle.state(t0 + s(239)), IdleState::Active);
        assert_eq!(
            idle.state(t0 + s(240)),
            IdleState::Warning { seconds_left: 60 }
        );
        assert_eq!(
            idle.state(t0 + Duration::from_millis(299_500)),
            IdleState::Warning { seconds_left: 1 }
        );
        assert_eq!(idle.state(t0 + s(300)), IdleState::Expired);
        // "Jag är kvar" during the countdown: a whole timeout again.
        idle.touch(t0 + s(250));
        assert_eq!(idle.state(t0 + s(300)), IdleState::Active);
        assert_eq!(idle.state(t0 + s(550)), IdleState::Expired);
        // An input reported late does not move the deadline back.
        idle.touch(t0 + s(10));
        assert_eq!(
            idle.state(t0 + s(549)),
            IdleState::Warning { seconds_left: 1 }
        );
        // A warning longer than the timeout is the whole timeout.
        let short = Idle::new(s(5), s(60), t0);
        assert_eq!(short.state(t0), IdleState::Warning { seconds_left: 5 });
    }
}
