//! The agent's reports to the portal, every minute: usage measured on the
//! node, and each site's health, errors and certificates, with the sites
//! it deleted as asked.

use std::time::Duration;

use anyhow::Context;

use domain::sites::{SitesReport, SITES_REPORT_PATH, USAGE_PATH};

use super::Agent;
use crate::{checks, usage};

impl Agent {
    /// Measures every site of the state applied last and posts the figures
    /// to the usage API. Answers how many sites were measured.
    pub async fn measure_once(&self) -> anyhow::Result<usize> {
        let Some(state) = self.remembered() else {
            return Ok(0);
        };
        // To the microsecond, as the portal stores it: two rounds never
        // share a time (the second would be a duplicate, not stored).
        let now = time::OffsetDateTime::now_utc();
        let time = now
            .replace_microsecond(now.microsecond())?
            .format(&time::format_description::well_known::Rfc3339)?;
        let (sites, log) = (self.config.sites.clone(), self.config.caddy.access_log.clone());
        let samples = {
            let mut meter = self
                .meter
                .lock()
                .map_err(|_| anyhow::anyhow!("the meter is poisoned"))?;
            meter.samples(&state, &sites, &log, time)
        };
        let measured = samples.len();
        let mut batches = samples.chunks(1_000);
        while let Some(batch) = batches.next() {
            let answer = self
                .http
                .post(format!("{}{}", self.portal(), USAGE_PATH))
                .bearer_auth(&self.config.token)
                .timeout(Duration::from_secs(30))
                .json(&serde_json::json!({ "samples": batch }))
                .send()
                .await;
            // Rows the portal will never take (a site moved to another
            // node, an account deleted) are dropped, or they would hold
            // back every later round; the batch's other rows go again.
            let mut dropped = std::collections::HashSet::new();
            let refused = match answer {
                Ok(a) if a.status().is_success() => continue,
                Ok(a) if a.status() == reqwest::StatusCode::UNPROCESSABLE_ENTITY => {
                    let body: serde_json::Value = a.json().await.unwrap_or_default();
                    let rows = body["rows"].as_array().cloned().unwrap_or_default();
                    dropped.extend(rows.iter().filter_map(|r| r["row"].as_u64()).map(|i| i as usize));
                    anyhow::anyhow!(
                        "the usage API refused {} of {} samples (dropped; the others go again): {}",
                        dropped.len(),
                        batch.len(),
                        rows.first().map(|r| r["error"].to_string()).unwrap_or_default()
                    )
                }
                Ok(a) => {
                    let status = a.status();
                    let text = a.text().await.unwrap_or_default();
                    anyhow::anyhow!(
                        "the usage API refused ({status}): {}",
                        text.chars().take(300).collect::<String>()
                    )
                }
                Err(e) => anyhow::Error::from(e).context("the portal did not answer"),
            };
            // Posted next round, with that round's figures.
            let kept = batch
                .iter()
                .enumerate()
                .filter(|(i, _)| !dropped.contains(i))
                .map(|(_, sample)| sample);
            let unsent: Vec<_> = kept.chain(batches.flatten()).cloned().collect();
            if let Ok(mut meter) = self.meter.lock() {
                meter.keep(unsent);
            }
            return Err(refused);
        }
        Ok(measured)
    }

    /// Checks every site the node serves (health, errors, and with HTTPS
    /// each host's certificate) and tells the portal. Answers how many
    /// sites were checked.
    pub async fn check_sites(&self) -> anyhow::Result<usize> {
        let Some(state) = self.remembered() else {
            return Ok(0);
        };
        let caddy = &self.config.caddy;
        let listeners = checks::Listeners {
            http: checks::local(&caddy.listen)
                .with_context(|| format!("{} is not an address and port", caddy.listen))?,
            https: match &caddy.tls {
                Some(tls) => Some(
                    checks::local(&tls.listen)
                        .with_context(|| format!("{} is not an address and port", tls.listen))?,
                ),
                None => None,
            },
        };
        let errors = self.site_errors.lock().map(|e| e.clone()).unwrap_or_default();
        let reports = checks::check(&state, listeners, &errors).await?;
        let removed: Vec<_> = self
            .removed
            .lock()
            .map(|mut r| r.drain().collect())
            .unwrap_or_default();
        // At least one report, so deletions are told even with no sites.
        let chunks: Vec<_> = if reports.is_empty() {
            vec![&reports[..]]
        } else {
            reports.chunks(500).collect()
        };
        for (i, chunk) in chunks.into_iter().enumerate() {
            self.http
                .post(format!("{}{SITES_REPORT_PATH}", self.portal()))
                .bearer_auth(&self.config.token)
                .timeout(Duration::from_secs(30))
                .json(&SitesReport {
                    sites: chunk.to_vec(),
                    // Told once, with the first part.
                    removed: if i == 0 { removed.clone() } else { Vec::new() },
                })
                .send()
                .await
                .context("the portal did not answer")?
                .error_for_status()?;
        }
        Ok(reports.len())
    }

    pub(super) async fn measure(&self, mut shutdown: tokio::sync::watch::Receiver<bool>) {
        loop {
            tokio::select! {
                _ = tokio::time::sleep(usage::EVERY) => {}
                _ = shutdown.changed() => return,
            }
            match self.measure_once().await {
                Ok(sites) => tracing::debug!(sites, "usage posted"),
                Err(error) => tracing::warn!(error = %format!("{error:#}"), "usage not posted"),
            }
            match self.check_sites().await {
                Ok(sites) => tracing::debug!(sites, "sites checked"),
                Err(error) => tracing::warn!(error = %format!("{error:#}"), "site checks not reported"),
            }
        }
    }
}
