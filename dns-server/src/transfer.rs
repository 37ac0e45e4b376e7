//! Zone transfers (AXFR, RFC 5936) to the secondaries, and NOTIFY (RFC
//! 1996) to tell them a zone changed.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use hickory_proto::op::{Header, HeaderCounts, Message, MessageType, Metadata, OpCode, Query, ResponseCode};
use hickory_proto::rr::{LowerName, Name, Record, RecordType};
use hickory_proto::serialize::binary::BinEncodable;
use hickory_server::server::{Request, ResponseHandler, ResponseInfo};
use hickory_server::zone_handler::MessageResponseBuilder;
use services::dns::probe;

use super::stats::Stats;
use super::zone::Zone;

/// Records go out in messages of about this many bytes (a TCP message
/// may hold 64 KiB; staying well below keeps any one record from
/// overflowing it).
const CHUNK_BYTES: usize = 16 * 1024;

/// The zone as a stream of messages: the SOA, every record, the SOA again.
pub async fn send<R: ResponseHandler>(request: &Request, zone: &Zone, mut response: R) -> ResponseInfo {
    let mut chunks: Vec<Vec<&Record>> = vec![vec![&zone.soa]];
    let mut size = 0;
    for record in zone.records().iter().chain(iter_once(&zone.soa)) {
        let bytes = record.to_bytes().map(|b| b.len()).unwrap_or(CHUNK_BYTES);
        if size + bytes > CHUNK_BYTES {
            chunks.push(Vec::new());
            size = 0;
        }
        size += bytes;
        if let Some(last) = chunks.last_mut() {
            last.push(record);
        }
    }
    let mut metadata = Metadata::response_from_request(&request.metadata);
    metadata.authoritative = true;
    let mut info = ResponseInfo::from(Header {
        metadata,
        counts: HeaderCounts::default(),
    });
    for chunk in &chunks {
        let message = MessageResponseBuilder::new(&request.queries, None).build(
            metadata,
            chunk.iter().copied(),
            std::iter::empty(),
            std::iter::empty(),
            std::iter::empty(),
        );
        match response.send_response(message).await {
            Ok(sent) => info = sent,
            Err(error) => {
                tracing::warn!(%error, zone = %zone.origin, "zone transfer interrupted");
                break;
            }
        }
    }
    info
}

fn iter_once(record: &Record) -> std::iter::Once<&Record> {
    std::iter::once(record)
}

/// Tells each secondary that `origin` changed, retrying a few times as
/// RFC 1996 §3.6 asks; a secondary that never answers is logged.
pub async fn notify(origin: LowerName, secondaries: Arc<Vec<SocketAddr>>, stats: Arc<Stats>) {
    for secondary in secondaries.iter().copied() {
        let origin = origin.clone();
        let stats = stats.clone();
        tokio::spawn(async move {
            for attempt in 0..3u32 {
                stats.notifies_sent.fetch_add(1, Ordering::Relaxed);
                match notify_once(&origin, secondary).await {
                    Ok(()) => return,
                    Err(error) if attempt == 2 => {
                        tracing::warn!(%error, %secondary, zone = %origin, "secondary did not acknowledge NOTIFY");
                    }
                    Err(_) => tokio::time::sleep(Duration::from_secs(2u64.pow(attempt))).await,
                }
            }
        });
    }
}

async fn notify_once(origin: &LowerName, secondary: SocketAddr) -> Result<(), String> {
    let mut message = Message::new(probe::new_id(), MessageType::Query, OpCode::Notify);
    message.metadata.authoritative = true;
    message.add_query(Query::query(Name::from(origin.clone()), RecordType::SOA));
    let reply = probe::exchange_udp(secondary, &message)
        .await
        .map_err(|e| e.to_string())?;
    if reply.metadata.response_code == ResponseCode::NoError {
        Ok(())
    } else {
        Err(format!("NOTIFY refused ({})", reply.metadata.response_code))
    }
}
