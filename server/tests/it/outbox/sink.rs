//! The tests' Resend: the Resend stand-in (`standin::resend`) on a free
//! local port, the same one `./scripts/run` starts.

pub use standin::resend::{event, post_event, Answer, ResendStandin as Sink, Webhooks};

pub async fn start_sink(script: Vec<Answer>) -> (Sink, String) {
    start_sink_reporting(script, None).await
}

/// A stand-in that reports each accepted email's fate to `webhooks`.
pub async fn start_sink_reporting(script: Vec<Answer>, webhooks: Option<Webhooks>) -> (Sink, String) {
    standin::resend::start(script, webhooks)
        .await
        .expect("the Resend stand-in takes a local port")
}
