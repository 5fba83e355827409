//! Logging: to standard error and to daily files in the OS log directory (kept 14
//! days, at most `kyc_core::logcap::DEFAULT_DAILY_BYTES` a day), every line passed
//! through `kyc_core::redact` so CPFs, CNPJs, e-mails and phone numbers never reach a
//! log. Tokens never reach one in the first place: no
//! secret is ever formatted into a log event.

use std::io::Write;
use std::path::Path;
use tracing_subscriber::Layer;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// A writer that masks personal data in what goes through it.
pub struct Redacting<W>(W);

impl<W: Write> Write for Redacting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(kyc_core::redact::redact(&text).as_bytes())?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// Makes [`Redacting`] writers around another maker's.
pub struct Redacted<M>(M);

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for Redacted<M> {
    type Writer = Redacting<M::Writer>;
    fn make_writer(&'a self) -> Self::Writer {
        Redacting(self.0.make_writer())
    }
}

/// Makes writers of the daily files, all within one daily budget.
pub struct CappedFiles<M>(M, std::sync::Arc<kyc_core::logcap::DailyBudget>);

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for CappedFiles<M> {
    type Writer = kyc_core::logcap::Capped<M::Writer>;
    fn make_writer(&'a self) -> Self::Writer {
        kyc_core::logcap::Capped::new(self.0.make_writer(), self.1.clone())
    }
}

/// Starts logging into `dir` (and standard error). `RUST_LOG` overrides the level.
pub fn init(dir: &Path) {
    // The appender lists the folder at start; a first start has none yet. Masked as
    // they are, logs still say who did what when: this user's only.
    let _ = kyc_core::durable::private_dir(dir);
    let budget = kyc_core::logcap::DailyBudget::new(kyc_core::logcap::DEFAULT_DAILY_BYTES);
    let filter = || tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into());
    let file = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("kyc-desk")
        .filename_suffix("log")
        .max_log_files(14)
        .build(dir);
    let registry = tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_writer(Redacted(std::io::stderr)).with_filter(filter()));
    match file {
        Ok(appender) => {
            let _ = registry
                .with(
                    tracing_subscriber::fmt::layer()
                        .with_ansi(false)
                        .with_writer(Redacted(CappedFiles(appender, budget)))
                        .with_filter(filter()),
                )
                .try_init();
        }
        Err(e) => {
            let _ = registry.try_init();
            tracing::warn!(dir = %dir.display(), error = %e, "cannot write log files; logging to standard error only");
        }
    }
}
