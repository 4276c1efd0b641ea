//! The consumer side of a scan: a push-model [`Sink`] (after grep-searcher's `Sink`).
//!
//! Design decision: drivers push findings and per-file events into a sink on one thread;
//! returning `Ok(false)` stops the scan early, returning `Err` aborts it. Only `matched` is
//! required; report writers, the CLI's collectors and tests implement what they need.

use std::fmt;
use std::io;

use super::driver::{SkipReason, StatsSnapshot};
use crate::finding::Finding;

/// Builds a sink's error type from messages and I/O errors.
pub trait SinkError: Sized {
    /// An error from a message.
    fn error_message<T: fmt::Display>(message: T) -> Self;
    /// An error from an I/O error.
    fn error_io(err: io::Error) -> Self {
        Self::error_message(err)
    }
}

impl SinkError for io::Error {
    fn error_message<T: fmt::Display>(message: T) -> io::Error {
        io::Error::other(message.to_string())
    }
    fn error_io(err: io::Error) -> io::Error {
        err
    }
}

impl SinkError for Box<dyn std::error::Error + Send + Sync> {
    fn error_message<T: fmt::Display>(message: T) -> Self {
        message.to_string().into()
    }
}

/// Receives what a scan produces.
pub trait Sink {
    /// The sink's error type.
    type Error: SinkError;

    /// A finding. `Ok(false)` stops the scan.
    fn matched(&mut self, finding: &Finding) -> Result<bool, Self::Error>;

    /// A file that was not scanned, and why.
    fn skipped(&mut self, _path: &str, _reason: &SkipReason) -> Result<bool, Self::Error> {
        Ok(true)
    }

    /// Content that could not be (fully) scanned: a *failure* that makes the run incomplete
    /// (see [`crate::finding::coverage`]). `path` is the path as reported, empty when the
    /// failure concerns no single path. The scan continues.
    fn error(&mut self, _path: &str, _message: &str) -> Result<bool, Self::Error> {
        Ok(true)
    }

    /// The scan finished.
    fn finish(&mut self, _stats: &StatsSnapshot) -> Result<(), Self::Error> {
        Ok(())
    }
}

impl<S: Sink + ?Sized> Sink for &mut S {
    type Error = S::Error;
    fn matched(&mut self, finding: &Finding) -> Result<bool, S::Error> {
        (**self).matched(finding)
    }
    fn skipped(&mut self, path: &str, reason: &SkipReason) -> Result<bool, S::Error> {
        (**self).skipped(path, reason)
    }
    fn error(&mut self, path: &str, message: &str) -> Result<bool, S::Error> {
        (**self).error(path, message)
    }
    fn finish(&mut self, stats: &StatsSnapshot) -> Result<(), S::Error> {
        (**self).finish(stats)
    }
}

impl<S: Sink + ?Sized> Sink for Box<S> {
    type Error = S::Error;
    fn matched(&mut self, finding: &Finding) -> Result<bool, S::Error> {
        (**self).matched(finding)
    }
    fn skipped(&mut self, path: &str, reason: &SkipReason) -> Result<bool, S::Error> {
        (**self).skipped(path, reason)
    }
    fn error(&mut self, path: &str, message: &str) -> Result<bool, S::Error> {
        (**self).error(path, message)
    }
    fn finish(&mut self, stats: &StatsSnapshot) -> Result<(), S::Error> {
        (**self).finish(stats)
    }
}

/// Ready-made sinks for simple library use and tests.
pub mod sinks {
    use std::io;

    use super::Sink;
    use crate::finding::Finding;
    use crate::finding::coverage::{Coverage, SkipReason};

    /// Collects every finding, and what was skipped or failed.
    #[derive(Debug, Default)]
    pub struct Collect {
        /// The findings, in the order they were reported.
        pub findings: Vec<Finding>,
        /// Policy skips and failures.
        pub coverage: Coverage,
    }

    impl Sink for Collect {
        type Error = io::Error;
        fn matched(&mut self, finding: &Finding) -> Result<bool, io::Error> {
            self.findings.push(finding.clone());
            Ok(true)
        }
        fn skipped(&mut self, path: &str, reason: &SkipReason) -> io::Result<bool> {
            self.coverage.skip(path, reason.clone());
            Ok(true)
        }
        fn error(&mut self, path: &str, message: &str) -> io::Result<bool> {
            self.coverage.fail(path, message);
            Ok(true)
        }
    }

    /// Calls a closure per finding; the closure's `bool` continues or stops.
    #[derive(Debug)]
    pub struct FnSink<F>(pub F);

    impl<F: FnMut(&Finding) -> io::Result<bool>> Sink for FnSink<F> {
        type Error = io::Error;
        fn matched(&mut self, finding: &Finding) -> io::Result<bool> {
            (self.0)(finding)
        }
    }
}
