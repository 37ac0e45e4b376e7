//! The agent's loop: ask the portal for the node's state (held until it
//! changes), apply it, remember it. Applying is idempotent: an unchanged
//! state is not loaded again, and existing sites are left as they are.
//! Its reports (usage, checks) are in `reporting`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Context;
use uuid::Uuid;

use domain::archive::{ArchiveError, Summary};
use domain::sites::{
    release_path, DeployReport, DesiredState, SiteMode, SiteState, AGENT_VERSION_HEADER, STATE_PATH,
};

use crate::caddy::{self, CaddySettings};
use crate::files;
use crate::releases::{self, OnDisk};
use crate::usage;

mod reporting;

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

/// How often the agent asks for its whole state anyway.
const FULL_SYNC_EVERY: Duration = Duration::from_secs(600);

pub struct Agent {
    config: AgentConfig,
    http: reqwest::Client,
    /// The configuration Caddy has now (not loaded again when unchanged).
    loaded: tokio::sync::Mutex<Option<serde_json::Value>>,
    /// The last apply left a download to try again.
    unfinished: AtomicBool,
    /// How far the access log was read.
    meter: std::sync::Mutex<usage::Meter>,
    /// Sites the last apply could not serve as asked, and why.
    site_errors: std::sync::Mutex<HashMap<Uuid, String>>,
    /// Sites deleted as asked, not yet told to the portal.
    removed: std::sync::Mutex<std::collections::HashSet<Uuid>>,
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
            unfinished: AtomicBool::new(false),
            meter: Default::default(),
            site_errors: Default::default(),
            removed: Default::default(),
        })
    }

    /// The node's state, or None when nothing changed after `after`.
    pub async fn fetch(&self, after: Option<i64>) -> anyhow::Result<Option<DesiredState>> {
        let mut url = format!("{}{STATE_PATH}", self.portal());
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

    /// Makes the node serve `desired`. A site that cannot be laid out is
    /// left out (and logged); the others are served.
    pub async fn apply(&self, desired: &DesiredState) -> anyhow::Result<()> {
        let mut skip = Vec::new();
        let mut unfinished = false;
        let mut errors = HashMap::new();
        for site in &desired.sites {
            match self.converge(site, &desired.portal).await {
                Ok(done) => unfinished |= !done,
                Err(error) => {
                    tracing::error!(site = %site.id, error = %format!("{error:#}"), "site could not be laid out; left out");
                    errors.insert(site.id, format!("{error:#}"));
                    skip.push(site.id);
                }
            }
        }
        self.unfinished.store(unfinished, Ordering::Relaxed);
        if let Ok(mut kept) = self.site_errors.lock() {
            *kept = errors;
        }
        // Deleted only when asked by name, and never a site it serves.
        for id in desired
            .remove
            .iter()
            .filter(|id| !desired.sites.iter().any(|s| s.id == **id))
        {
            match releases::remove_site(&self.config.sites, *id) {
                Ok(existed) => {
                    if existed {
                        tracing::info!(site = %id, "site deleted as asked");
                    }
                    if let Ok(mut removed) = self.removed.lock() {
                        removed.insert(*id);
                    }
                }
                Err(error) => tracing::warn!(site = %id, %error, "site could not be deleted"),
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

    /// Lays out one site and points it at its release (downloading and
    /// unpacking a new one). Answers false when a download must be tried
    /// again later; the site keeps serving what it served.
    async fn converge(&self, site: &SiteState, portal: &str) -> anyhow::Result<bool> {
        let sites = &self.config.sites;
        if files::ensure(sites, site, portal)? {
            tracing::info!(site = %site.id, "site laid out with the default page");
        }
        // A paused site still takes deploys: they are served once it is back.
        if matches!(site.mode, SiteMode::Suspended | SiteMode::Unknown) {
            return Ok(true);
        }
        let serving = match site.release {
            None => "default".to_string(),
            Some(deploy) => match releases::on_disk(sites, site, deploy) {
                OnDisk::Ready { reported } => {
                    if !reported {
                        self.report(site, deploy, Ok(Summary::default())).await;
                    }
                    deploy.to_string()
                }
                // The portal was told and moves the site back.
                OnDisk::Refused => return Ok(true),
                OnDisk::Missing => match self.deploy(site, deploy).await {
                    Ok(true) => deploy.to_string(),
                    Ok(false) => return Ok(true),
                    Err(error) => {
                        tracing::warn!(site = %site.id, %deploy, error = %format!("{error:#}"), "deploy not downloaded; tried again shortly");
                        return Ok(false);
                    }
                },
            },
        };
        if releases::switch(sites, site, &serving)? {
            tracing::info!(site = %site.id, release = %serving, "site switched");
        }
        releases::prune(sites, site, &serving)?;
        Ok(true)
    }

    /// Downloads and unpacks `deploy`, and tells the portal how it went.
    /// Answers whether it is ready to serve; Err when the download failed
    /// (tried again later).
    async fn deploy(&self, site: &SiteState, deploy: Uuid) -> anyhow::Result<bool> {
        let url = format!("{}{}", self.portal(), release_path(deploy));
        let answer = self
            .http
            .get(&url)
            .bearer_auth(&self.config.token)
            .timeout(Duration::from_secs(300))
            .send()
            .await
            .context("the portal did not answer")?;
        if answer.status() == reqwest::StatusCode::NOT_FOUND {
            let refused = Err(ArchiveError::Corrupt("the portal no longer has it".into()));
            self.report(site, deploy, refused).await;
            return Ok(false);
        }
        let bytes = answer.error_for_status()?.bytes().await?;
        let (sites, owned) = (self.config.sites.clone(), site.clone());
        let unpacked =
            tokio::task::spawn_blocking(move || releases::unpack(&sites, &owned, deploy, &bytes)).await?;
        let ready = unpacked.is_ok();
        self.report(site, deploy, unpacked).await;
        Ok(ready)
    }

    /// Tells the portal how `deploy` went, and remembers it was told (an
    /// untold outcome is told at the next round).
    async fn report(&self, site: &SiteState, deploy: Uuid, outcome: Result<Summary, ArchiveError>) {
        let report = match &outcome {
            Ok(summary) => DeployReport {
                error: None,
                files: summary.files,
                bytes: summary.bytes,
            },
            Err(error) => DeployReport {
                error: Some(error.to_string()),
                files: 0,
                bytes: 0,
            },
        };
        let url = format!("{}{}", self.portal(), release_path(deploy));
        let sent = self
            .http
            .post(&url)
            .bearer_auth(&self.config.token)
            .timeout(Duration::from_secs(30))
            .json(&report)
            .send()
            .await
            .and_then(|a| a.error_for_status());
        match sent {
            Ok(_) => {
                if let Err(e) = releases::mark(&self.config.sites, site, deploy, report.error.as_deref()) {
                    tracing::warn!(site = %site.id, %deploy, error = %e, "could not remember the report");
                }
                match &report.error {
                    None => tracing::info!(site = %site.id, %deploy, files = report.files, "deploy unpacked"),
                    Some(why) => tracing::warn!(site = %site.id, %deploy, %why, "deploy refused"),
                }
            }
            Err(e) => {
                tracing::warn!(site = %site.id, %deploy, error = %e, "could not tell the portal; told next round")
            }
        }
    }

    fn portal(&self) -> &str {
        self.config.portal.trim_end_matches('/')
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
    /// follows the portal (backing off while it is unreachable), and
    /// measures usage every minute.
    pub async fn run(&self, shutdown: tokio::sync::watch::Receiver<bool>) {
        tokio::join!(self.follow(shutdown.clone()), self.measure(shutdown));
    }

    async fn follow(&self, mut shutdown: tokio::sync::watch::Receiver<bool>) {
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
        let mut whole = tokio::time::Instant::now();
        loop {
            // Now and then the whole state, whether or not it changed: a
            // deletion falls due with time, not with a change.
            if whole.elapsed() > FULL_SYNC_EVERY {
                applied = None;
                whole = tokio::time::Instant::now();
            }
            let round = tokio::select! {
                r = self.sync_once(applied) => r,
                _ = shutdown.changed() => return,
            };
            match round {
                Ok(generation) => {
                    applied = generation;
                    wait = Duration::from_secs(1);
                    // A download failed: ask for the whole state again soon.
                    if self.unfinished.load(Ordering::Relaxed) {
                        tokio::select! {
                            _ = tokio::time::sleep(Duration::from_secs(5)) => {}
                            _ = shutdown.changed() => return,
                        }
                        applied = None;
                    }
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
