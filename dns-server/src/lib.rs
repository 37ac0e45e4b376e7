//! `ksf dns`: the authoritative DNS server. It keeps every served zone in
//! memory, built from PostgreSQL at start, and reloads one zone within a
//! moment of its change through `LISTEN ksf_dns`. Secondaries (NSD, Knot,
//! BIND) may transfer zones and are told of changes.

pub mod answer;
pub mod catalog;
mod config;
#[cfg(test)]
mod differential;
pub mod fast;
pub mod handler;
pub mod prepared;
pub mod stats;
pub mod transfer;
pub mod udp;
pub mod zone;

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use hickory_proto::rr::{LowerName, Name};
use hickory_server::net::runtime::Time;
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use hickory_server::Server;
use services::dns::{serving, DnsSettings};
use sqlx::postgres::PgListener;
use sqlx::PgPool;
use std::net::UdpSocket;
use tokio::net::TcpListener;
use tokio::sync::Notify;

use catalog::Catalog;
pub use config::DnsServerConfig;
use handler::Handler;
use stats::{QueryLog, RateLimiter, Stats};
use zone::Zone;

#[derive(Debug, thiserror::Error)]
pub enum DnsStartError {
    #[error("DNS_LISTEN {addr}: the port is already in use (is another DNS server running? `ss -lunpt | grep :{}` shows it)", addr.port())]
    InUse { addr: SocketAddr },
    #[error("DNS_LISTEN {addr}: binding a port below 1024 needs privileges (grant the binary CAP_NET_BIND_SERVICE, e.g. `setcap cap_net_bind_service=+ep ksf` or AmbientCapabilities in its systemd unit)")]
    Privileges { addr: SocketAddr },
    #[error("DNS_LISTEN {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("DNS_METRICS_LISTEN {addr}: {source}")]
    Metrics {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("loading zones: {0}")]
    Load(#[from] services::dns::ServiceError),
}

fn bind_error(addr: SocketAddr, source: std::io::Error) -> DnsStartError {
    match source.kind() {
        std::io::ErrorKind::AddrInUse => DnsStartError::InUse { addr },
        std::io::ErrorKind::PermissionDenied => DnsStartError::Privileges { addr },
        _ => DnsStartError::Bind { addr, source },
    }
}

/// A running server.
pub struct Running {
    /// Where it answers (UDP and TCP on the same port).
    pub addr: SocketAddr,
    /// UDP sockets, each read by its own thread (one per core).
    pub udp_sockets: usize,
    pub metrics_addr: Option<SocketAddr>,
    pub catalog: Arc<Catalog>,
    pub stats: Arc<Stats>,
    /// Wakes the full reload (what SIGHUP does).
    pub reload: Arc<Notify>,
    server: Server<Shared>,
    udp: udp::Loops,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

/// hickory's server (TCP) and the UDP loops share one handler.
struct Shared(Arc<Handler>);

#[async_trait::async_trait]
impl RequestHandler for Shared {
    async fn handle_request<R: ResponseHandler, T: Time>(
        &self,
        request: &Request,
        response: R,
    ) -> ResponseInfo {
        self.0.handle_request::<R, T>(request, response).await
    }
}

impl Running {
    /// Stops answering; requests in flight finish first.
    pub async fn stop(mut self) {
        for task in &self.tasks {
            task.abort();
        }
        self.udp.stop().await;
        if let Err(error) = self.server.shutdown_gracefully().await {
            tracing::warn!(%error, "dns server did not stop cleanly");
        }
    }
}

/// Builds each zone on its own: one that cannot be built is logged,
/// left out and reported on its domain; the others are served.
fn build_zones(
    loaded: Vec<Result<serving::ServedZone, serving::Unservable>>,
) -> (Vec<Zone>, Vec<uuid::Uuid>, Vec<serving::Unservable>) {
    let mut zones = Vec::with_capacity(loaded.len());
    let mut fine = Vec::with_capacity(loaded.len());
    let mut problems = Vec::new();
    for item in loaded {
        match item.and_then(|served| match Zone::build_isolated(&served) {
            Ok(zone) => Ok((served.id, zone)),
            Err(problem) => Err(serving::Unservable {
                id: served.id,
                name: served.name.as_str().to_string(),
                problem,
            }),
        }) {
            Ok((id, zone)) => {
                fine.push(id);
                zones.push(zone);
            }
            Err(unservable) => {
                tracing::error!(
                    zone = unservable.name,
                    problem = unservable.problem,
                    "zone not served"
                );
                problems.push(unservable);
            }
        }
    }
    (zones, fine, problems)
}

/// Everything the zone-follower needs.
struct Follower {
    pool: PgPool,
    settings: DnsSettings,
    catalog: Arc<Catalog>,
    stats: Arc<Stats>,
    secondaries: Arc<Vec<SocketAddr>>,
}

impl Follower {
    async fn reload_all(&self) -> Result<(), DnsStartError> {
        let (zones, fine, problems) = build_zones(serving::all(&self.pool, &self.settings).await?);
        let changed = self.catalog.replace_all(zones);
        self.report(&fine, &problems).await;
        self.stats
            .zones
            .store(self.catalog.len() as u64, Ordering::Relaxed);
        self.stats.reloads.fetch_add(1, Ordering::Relaxed);
        for origin in changed {
            transfer::notify(origin, self.secondaries.clone(), self.stats.clone()).await;
        }
        Ok(())
    }

    /// Shows on each domain page whether its zone is served; a failure to
    /// say so is logged and never stops serving.
    async fn report(&self, fine: &[uuid::Uuid], problems: &[serving::Unservable]) {
        if let Err(error) = serving::report(&self.pool, fine, problems).await {
            tracing::warn!(%error, "could not record which zones are served");
        }
    }

    async fn reload_one(&self, name: &str) {
        let Ok(origin) = Name::from_ascii(format!("{name}.")).map(|n| LowerName::new(&n)) else {
            return;
        };
        let changed = match serving::zone(&self.pool, &self.settings, name).await {
            Ok(Some(loaded)) => {
                let (mut zones, fine, problems) = build_zones(vec![loaded]);
                self.report(&fine, &problems).await;
                match zones.pop() {
                    Some(zone) => self.catalog.put(zone),
                    // The version served before (if any) stays served: the
                    // domain page says the latest change is not.
                    None => false,
                }
            }
            Ok(None) => {
                if self.catalog.remove(&origin) {
                    tracing::info!(zone = name, "zone no longer served");
                }
                false
            }
            Err(error) => {
                tracing::warn!(%error, zone = name, "could not reload zone; keeping the version served");
                false
            }
        };
        self.stats
            .zones
            .store(self.catalog.len() as u64, Ordering::Relaxed);
        if changed {
            transfer::notify(origin, self.secondaries.clone(), self.stats.clone()).await;
        }
    }

    /// Applies each change as it is announced. A lost connection may have
    /// missed announcements, so it is followed by a full reload.
    async fn follow(self, mut listener: PgListener, reload: Arc<Notify>) {
        loop {
            tokio::select! {
                received = listener.try_recv() => match received {
                    Ok(Some(n)) => self.reload_one(n.payload()).await,
                    Ok(None) => {
                        tracing::warn!("lost the database connection; reloading every zone");
                        if let Err(error) = self.reload_all().await {
                            tracing::warn!(%error, "full reload failed; retrying");
                            tokio::time::sleep(Duration::from_secs(1)).await;
                        }
                    }
                    Err(error) => {
                        tracing::warn!(%error, "cannot listen for zone changes; retrying");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                },
                () = reload.notified() => {
                    match self.reload_all().await {
                        Ok(()) => tracing::info!(zones = self.catalog.len(), "reloaded every zone"),
                        Err(error) => tracing::warn!(%error, "reload failed; keeping the zones served"),
                    }
                }
            }
        }
    }
}

/// A UDP socket on `addr` that other sockets may share (SO_REUSEPORT):
/// the kernel spreads queries over them, so each core reads its own.
fn shared_udp(addr: SocketAddr) -> std::io::Result<UdpSocket> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))?;
    socket.set_reuse_port(true)?;
    socket.bind(&addr.into())?;
    Ok(socket.into())
}

/// UDP sockets (one per core) and a TCP listener on one port. Port 0
/// picks a free one; one whose TCP side is taken is tried again.
async fn bind(listen: SocketAddr) -> Result<(SocketAddr, Vec<UdpSocket>, TcpListener), DnsStartError> {
    let attempts = if listen.port() == 0 { 10 } else { 1 };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut last = None;
    for _ in 0..attempts {
        let first = shared_udp(listen).map_err(|e| bind_error(listen, e))?;
        let addr = first.local_addr().map_err(|e| bind_error(listen, e))?;
        let mut udp = vec![first];
        for _ in 1..cores {
            udp.push(shared_udp(addr).map_err(|e| bind_error(addr, e))?);
        }
        match TcpListener::bind(addr).await {
            Ok(tcp) => return Ok((addr, udp, tcp)),
            Err(e) => last = Some(bind_error(addr, e)),
        }
    }
    Err(last.unwrap_or(DnsStartError::InUse { addr: listen }))
}

/// Binds, loads every zone and starts answering.
pub async fn start(
    config: &DnsServerConfig,
    settings: DnsSettings,
    pool: PgPool,
) -> Result<Running, DnsStartError> {
    let (addr, udp, tcp) = bind(config.listen).await?;

    let catalog = Arc::new(Catalog::default());
    let stats = Arc::new(Stats::default());
    let reload = Arc::new(Notify::new());
    let follower = Follower {
        pool: pool.clone(),
        settings,
        catalog: catalog.clone(),
        stats: stats.clone(),
        secondaries: Arc::new(config.secondaries.clone()),
    };
    // Listen before loading, so no change falls between the two.
    let mut listener = PgListener::connect_with(&pool).await?;
    listener.listen(serving::CHANNEL).await?;
    follower.reload_all().await?;
    tracing::info!(zones = catalog.len(), %addr, "dns: zones loaded");

    let handler = Arc::new(Handler {
        catalog: catalog.clone(),
        stats: stats.clone(),
        limiter: RateLimiter::new(config.rate_limit),
        log: QueryLog::new(config.query_log_every),
        secondaries: config.secondaries.iter().map(SocketAddr::ip).collect(),
    });
    let udp_sockets = udp.len();
    let udp = udp::Loops::spawn(udp, handler.clone()).map_err(|e| bind_error(addr, e))?;
    let mut server = Server::new(Shared(handler));
    server.register_listener(tcp, Duration::from_secs(10), 64 * 1024);

    let mut tasks = vec![tokio::spawn(follower.follow(listener, reload.clone()))];
    let metrics_addr = match config.metrics_listen {
        Some(at) => {
            let listener = TcpListener::bind(at)
                .await
                .map_err(|source| DnsStartError::Metrics { addr: at, source })?;
            let bound = listener
                .local_addr()
                .map_err(|source| DnsStartError::Metrics { addr: at, source })?;
            let stats = stats.clone();
            let app = axum::Router::new().route(
                "/metrics",
                axum::routing::get(move || {
                    let stats = stats.clone();
                    async move {
                        (
                            [(http::header::CONTENT_TYPE, "text/plain; version=0.0.4")],
                            stats.render(),
                        )
                    }
                }),
            );
            tasks.push(tokio::spawn(async move {
                if let Err(error) = axum::serve(listener, app).await {
                    tracing::warn!(%error, "dns metrics endpoint stopped");
                }
            }));
            Some(bound)
        }
        None => None,
    };
    Ok(Running {
        addr,
        udp_sockets,
        metrics_addr,
        catalog,
        stats,
        reload,
        server,
        udp,
        tasks,
    })
}
