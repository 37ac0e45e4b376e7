//! Our own UDP loop: one thread per socket, one socket per core (the
//! kernel spreads queries over them with SO_REUSEPORT). Each datagram is
//! rate-limited, then answered by the fast path (`fast`) or, for anything
//! unusual, by the full path: hickory-proto decodes it and the handler
//! answers it, as hickory's server did, in the same thread. TCP stays
//! with hickory's server.

use std::future::Future;
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::thread::JoinHandle;
use std::time::Duration;

use hickory_proto::op::{Header, HeaderCounts, MessageType, Metadata, OpCode, ResponseCode};
use hickory_proto::rr::Record;
use hickory_proto::serialize::binary::{BinDecodable, BinDecoder, BinEncodable, BinEncoder};
use hickory_server::net::runtime::TokioTime;
use hickory_server::net::xfer::Protocol;
use hickory_server::net::NetError;
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use hickory_server::zone_handler::{MessageResponse, MessageResponseBuilder, Queries};

use super::fast;
use super::handler::{Handler, UDP_PAYLOAD};
use super::stats::Verdict;

/// How often a waiting loop looks whether it should stop.
const WAKE: Duration = Duration::from_millis(100);

/// The running loops.
pub struct Loops {
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

impl Loops {
    /// A thread for each socket.
    pub fn spawn(sockets: Vec<UdpSocket>, handler: Arc<Handler>) -> std::io::Result<Loops> {
        // Built first, so the loops already started stop if a later one
        // cannot (its `Drop`).
        let mut loops = Loops {
            stop: Arc::new(AtomicBool::new(false)),
            threads: Vec::with_capacity(sockets.len()),
        };
        for (n, socket) in sockets.into_iter().enumerate() {
            socket.set_nonblocking(false)?;
            socket.set_read_timeout(Some(WAKE))?;
            let (handler, stop) = (handler.clone(), loops.stop.clone());
            loops.threads.push(
                std::thread::Builder::new()
                    .name(format!("ksf-dns-udp-{n}"))
                    .spawn(move || serve(&socket, &handler, &stop))?,
            );
        }
        Ok(loops)
    }

    /// Stops every loop and waits for it, so the port is free after.
    pub async fn stop(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let threads = std::mem::take(&mut self.threads);
        let joined = tokio::task::spawn_blocking(move || {
            for thread in threads {
                if thread.join().is_err() {
                    tracing::warn!("a dns udp loop had stopped unexpectedly");
                }
            }
        })
        .await;
        if let Err(error) = joined {
            tracing::warn!(%error, "waiting for the dns udp loops failed");
        }
    }
}

/// A server dropped without `stop` (a failed start, a test that ends
/// early) still stops its loops: one left running would keep answering
/// on its port, which a later server may be given.
impl Drop for Loops {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

/// Sources an answer must never go to (as hickory's server checks): no
/// port, no address, or an address that reaches many hosts.
fn unanswerable(src: SocketAddr) -> bool {
    src.port() == 0
        || src.ip().is_unspecified()
        || src.ip().is_multicast()
        || matches!(src.ip(), IpAddr::V4(v4) if v4.is_broadcast())
}

fn serve(socket: &UdpSocket, handler: &Handler, stop: &AtomicBool) {
    let mut packet = vec![0u8; 4096];
    let mut out = Vec::with_capacity(usize::from(UDP_PAYLOAD));
    while !stop.load(Ordering::Relaxed) {
        let (len, src) = match socket.recv_from(&mut packet) {
            Ok(received) => received,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock
                        | std::io::ErrorKind::TimedOut
                        | std::io::ErrorKind::Interrupted
                ) =>
            {
                continue
            }
            Err(error) => {
                tracing::warn!(%error, "dns: receiving a datagram failed");
                continue;
            }
        };
        let Some(query) = packet.get(..len) else {
            continue;
        };
        if len < 12 || unanswerable(src) {
            continue;
        }
        let answered = match handler.limiter.check(src.ip()) {
            Verdict::Send if fast::answer(handler, query, &mut out) => true,
            verdict => match full(handler, query, src, verdict) {
                Some(bytes) => {
                    out = bytes;
                    true
                }
                None => false,
            },
        };
        if answered {
            if let Err(error) = socket.send_to(&out, src) {
                tracing::debug!(%error, %src, "dns: sending an answer failed");
            }
        }
    }
}

/// The full path for one datagram: what hickory's server did with it,
/// then the handler. `None`: nothing is sent (a response, a datagram
/// shorter than a header, or a dropped answer).
pub fn full(handler: &Handler, packet: &[u8], src: SocketAddr, verdict: Verdict) -> Option<Vec<u8>> {
    let capture = Capture::default();
    match Request::from_bytes(packet.to_vec(), src, Protocol::Udp) {
        Err(_) if verdict != Verdict::Send => {
            // Over the limit: counted, and not answered (a FORMERR is no
            // use to a spoofed victim; a real client asks again).
            handler.stats.rate_limited.fetch_add(1, Ordering::Relaxed);
            return None;
        }
        Err(_) => {
            // Only the header could be read (no answer without one).
            let header = Header::read(&mut BinDecoder::new(packet)).ok()?;
            let queries = Queries::read(&mut BinDecoder::new(&[]), 0).ok()?;
            let message = MessageResponseBuilder::new(&queries, None)
                .error_msg(&header.metadata, ResponseCode::FormErr);
            now(capture.clone().send_response(message))?.ok()?;
        }
        Ok(request) if request.metadata.message_type == MessageType::Response => return None,
        Ok(request) => {
            let done = match verdict {
                Verdict::Send => now(handler.handle_request::<_, TokioTime>(&request, capture.clone())),
                verdict => now(handler.limited(verdict, &request, capture.clone())),
            };
            if done.is_none() {
                tracing::warn!("dns: an answer waited on something; not sent");
                return None;
            }
        }
    }
    capture.take()
}

/// Runs `future` to its end. The handler answering into a `Capture`
/// never waits (it reads memory and writes a buffer), so one poll does it.
fn now<T>(future: impl Future<Output = T>) -> Option<T> {
    let mut future = std::pin::pin!(future);
    match future.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(value) => Some(value),
        Poll::Pending => None,
    }
}

/// Keeps the encoded answer instead of sending it, encoded as hickory's
/// own UDP response handle does: at most the answer's EDNS payload size
/// (512 without EDNS), truncated past it, SERVFAIL if it cannot be
/// encoded.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Option<Vec<u8>>>>);

impl Capture {
    fn take(&self) -> Option<Vec<u8>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

#[async_trait::async_trait]
impl ResponseHandler for Capture {
    async fn send_response<'a>(
        &mut self,
        response: MessageResponse<
            '_,
            'a,
            impl Iterator<Item = &'a Record> + Send + 'a,
            impl Iterator<Item = &'a Record> + Send + 'a,
            impl Iterator<Item = &'a Record> + Send + 'a,
            impl Iterator<Item = &'a Record> + Send + 'a,
        >,
    ) -> Result<ResponseInfo, NetError> {
        let id = response.metadata().id;
        let max = response.edns().map_or(512, |edns| edns.max_payload());
        let mut bytes = Vec::with_capacity(512);
        let mut encoder = BinEncoder::new(&mut bytes);
        encoder.set_max_size(max);
        let info = match response.destructive_emit(&mut encoder) {
            Ok(info) => info,
            Err(error) => {
                tracing::error!(%error, "dns: encoding an answer failed");
                bytes.clear();
                let mut metadata = Metadata::new(id, MessageType::Response, OpCode::Query);
                metadata.response_code = ResponseCode::ServFail;
                let header = Header {
                    metadata,
                    counts: HeaderCounts::default(),
                };
                let mut encoder = BinEncoder::new(&mut bytes);
                if header.emit(&mut encoder).is_err() {
                    bytes.clear();
                }
                ResponseInfo::from(header)
            }
        };
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(bytes);
        Ok(info)
    }
}
