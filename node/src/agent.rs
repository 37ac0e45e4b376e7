//! The agent's loop: ask the portal for the node's state (held until it
//! changes), apply it, remember it. Applying is idempotent: an unchanged
//! state is not loaded again, and existing sites are left as they are.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;

use domain::sites::{DesiredState, AGENT_VERSION_HEADER, STATE_PATH};

use crate::caddy::{self, CaddySettings};
use crate::files;

/// How the agent reaches the portal and runs its node.
#[derive(Debug, Clone)]
pub struct AgentConfig {
    /// The portal's address, e.g. `https://portal.example.com`.
    pub portal: String,
    /// The node token staff made for this node.
    pub token: String,
    pub caddy: CaddySettings,
    /// Where sites live, one directory per hosting account.
    pub sites: PathBuf,
    /// The last state applied, kept for restarts without the portal.
    pub state_file: PathBuf,
}

pub struct Agent {
    config: AgentConfig,
    http: reqwest::Client,
    /// The configuration Caddy has now (not loaded again when unchanged).
    loaded: tokio::sync::Mutex<Option<serde_json::Value>>,
}

impl Agent {
    pub fn new(config: AgentConfig) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .user_agent(concat!("ksf-node/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            config,
            http,
            loaded: tokio::sync::Mutex::new(None),
        })
    }

    /// The node's state, or None when nothing changed after `after`.
    pub async fn fetch(&self, after: Option<i64>) -> anyhow::Result<Option<DesiredState>> {
        let mut url = format!("{}{STATE_PATH}", self.config.portal.trim_end_matches('/'));
        if let Some(after) = after {
            url.push_str(&format!("?after={after}"));
        }
        let answer = self
            .http
            .get(&url)
            .bearer_auth(&self.config.token)
            .header(AGENT_VERSION_HEADER, env!("CARGO_PKG_VERSION"))
            .timeout(Duration::from_secs(domain::sites::MAX_WAIT_SECS + 15))
            .send()
            .await
            .context("the portal did not answer")?;
        match answer.status() {
            reqwest::StatusCode::NOT_MODIFIED => Ok(None),
            s if s.is_success() => Ok(Some(
                answer
                    .json()
                    .await
                    .context("the portal's answer is not a state")?,
            )),
            s => {
                let text = answer.text().await.unwrap_or_default();
                anyhow::bail!(
                    "the portal refused ({s}): {}",
                    text.chars().take(300).collect::<String>()
                )
            }
        }
    }

    /// Makes the node serve `desired`. A site whose directory cannot be
    /// made is left out (and logged); the others are served.
    pub async fn apply(&self, desired: &DesiredState) -> anyhow::Result<()> {
        let mut skip = Vec::new();
        for site in &desired.sites {
            match files::ensure(&self.config.sites, site, &desired.portal) {
                Ok(true) => tracing::info!(site = %site.id, "site laid out with the default page"),
                Ok(false) => {}
                Err(error) => {
                    tracing::error!(site = %site.id, %error, "site directory could not be made; left out");
                    skip.push(site.id);
                }
            }
        }
        let config = caddy::config(desired, &self.config.caddy, &self.config.sites, &skip);
        let mut loaded = self.loaded.lock().await;
        if loaded.as_ref() != Some(&config) {
            caddy::load(&self.http, &self.config.caddy.admin, &config).await?;
            tracing::info!(
                generation = desired.generation,
                sites = desired.sites.len(),
                "Caddy configuration loaded"
            );
            *loaded = Some(config);
        }
        Ok(())
    }

    /// One round: fetch what changed after `after`, apply and remember it.
    /// Answers the generation now applied.
    pub async fn sync_once(&self, after: Option<i64>) -> anyhow::Result<Option<i64>> {
        let Some(desired) = self.fetch(after).await? else {
            return Ok(after);
        };
        self.apply(&desired).await?;
        let json = serde_json::to_vec_pretty(&desired)?;
        let temporary = self.config.state_file.with_extension("tmp");
        std::fs::write(&temporary, json)?;
        std::fs::rename(&temporary, &self.config.state_file)?;
        Ok(Some(desired.generation))
    }

    /// The state applied last time, if the agent kept one.
    pub fn remembered(&self) -> Option<DesiredState> {
        let bytes = std::fs::read(&self.config.state_file).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Runs until `shutdown`: serves the remembered state at once, then
    /// follows the portal, backing off while it is unreachable.
    pub async fn run(&self, mut shutdown: tokio::sync::watch::Receiver<bool>) {
        let mut applied = None;
        if let Some(state) = self.remembered() {
            match self.apply(&state).await {
                Ok(()) => {
                    tracing::info!(generation = state.generation, "serving the remembered state");
                    applied = Some(state.generation);
                }
                Err(error) => {
                    tracing::warn!(error = %format!("{error:#}"), "the remembered state could not be applied")
                }
            }
        }
        let mut wait = Duration::from_secs(1);
        loop {
            let round = tokio::select! {
                r = self.sync_once(applied) => r,
                _ = shutdown.changed() => return,
            };
            match round {
                Ok(generation) => {
                    applied = generation;
                    wait = Duration::from_secs(1);
                }
                Err(error) => {
                    tracing::warn!(error = %format!("{error:#}"), retry_in = ?wait, "could not sync; the node keeps serving what it has");
                    tokio::select! {
                        _ = tokio::time::sleep(wait) => {}
                        _ = shutdown.changed() => return,
                    }
                    wait = (wait * 2).min(Duration::from_secs(30));
                }
            }
        }
    }
}
