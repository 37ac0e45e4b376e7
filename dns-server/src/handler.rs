//! The full path for each request: find the zone, answer (or transfer it
//! to an allowed secondary), count and maybe log it. TCP comes here from
//! hickory's server; UDP from our own loop (`udp`), which rate-limits
//! first and answers most questions from the prepared answers instead.

use std::iter::{self, Empty};
use std::net::IpAddr;
use std::slice::Iter;
use std::sync::Arc;

use hickory_proto::op::{Edns, Header, HeaderCounts, Metadata, OpCode, ResponseCode};
use hickory_proto::rr::{Record, RecordType};
use hickory_server::net::runtime::Time;
use hickory_server::net::xfer::Protocol;
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use hickory_server::zone_handler::{MessageResponse, MessageResponseBuilder};

use super::answer::{self, Answer};
use super::catalog::Catalog;
use super::stats::{QueryLog, RateLimiter, Stats, Verdict};
use super::transfer;

/// The largest UDP answer: small enough to avoid fragmentation (the 2020
/// DNS flag day's figure), and never more than the client's EDNS payload
/// size; larger answers are truncated and the client retries over TCP.
pub const UDP_PAYLOAD: u16 = 1232;

pub struct Handler {
    pub catalog: Arc<Catalog>,
    pub stats: Arc<Stats>,
    pub limiter: RateLimiter,
    pub log: QueryLog,
    /// Addresses allowed to transfer zones (`DNS_SECONDARIES`).
    pub secondaries: Vec<IpAddr>,
}

fn failed(request: &Request, code: ResponseCode) -> ResponseInfo {
    let mut metadata = Metadata::response_from_request(&request.metadata);
    metadata.response_code = code;
    ResponseInfo::from(Header {
        metadata,
        counts: HeaderCounts::default(),
    })
}

/// The message that carries `answer`: the one encoding both the full
/// path and the prepared answers (`prepared`) use.
pub(crate) fn message<'q>(
    request: &'q Request,
    answer: &'q Answer,
    edns: Option<&'q Edns>,
) -> MessageResponse<'q, 'q, Iter<'q, Record>, Iter<'q, Record>, Empty<&'q Record>, Iter<'q, Record>> {
    let mut metadata = Metadata::response_from_request(&request.metadata);
    metadata.authoritative = answer.authoritative;
    metadata.response_code = answer.code;
    let mut builder = MessageResponseBuilder::new(&request.queries, None);
    if let Some(e) = edns {
        builder.edns(e);
    }
    builder.build(
        metadata,
        answer.answers.iter(),
        answer.authority.iter(),
        iter::empty::<&Record>(),
        answer.additional.iter(),
    )
}

impl Handler {
    /// A source over its rate: a truncated answer now and then (a real
    /// client retries over TCP), else refused.
    pub(crate) async fn limited<R: ResponseHandler>(
        &self,
        verdict: Verdict,
        request: &Request,
        mut response: R,
    ) -> ResponseInfo {
        self.stats
            .rate_limited
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if verdict != Verdict::Slip {
            return failed(request, ResponseCode::Refused);
        }
        let mut metadata = Metadata::response_from_request(&request.metadata);
        metadata.truncation = true;
        let message = MessageResponseBuilder::new(&request.queries, None).build_no_records(metadata);
        response
            .send_response(message)
            .await
            .unwrap_or_else(|_| failed(request, ResponseCode::ServFail))
    }

    /// AXFR (and IXFR, answered with the whole zone, which RFC 1995 §4
    /// allows) over TCP to the configured secondaries only.
    async fn transfer<R: ResponseHandler>(
        &self,
        request: &Request,
        mut response: R,
        udp: bool,
    ) -> ResponseInfo {
        let src = request.src();
        let query = &request.queries.queries()[0];
        let qtype = query.query_type();
        let allowed = !udp && self.secondaries.contains(&src.ip());
        let zone = if allowed {
            self.catalog.get(query.name())
        } else {
            None
        };
        let Some(zone) = zone else {
            tracing::info!(%src, zone = %query.name(), "zone transfer refused");
            self.stats.count(qtype, ResponseCode::Refused);
            let message = MessageResponseBuilder::new(&request.queries, None)
                .error_msg(&request.metadata, ResponseCode::Refused);
            return response
                .send_response(message)
                .await
                .unwrap_or_else(|_| failed(request, ResponseCode::ServFail));
        };
        self.stats.count(qtype, ResponseCode::NoError);
        self.stats
            .transfers
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        return transfer::send(request, &zone, response).await;
    }
}

#[async_trait::async_trait]
impl RequestHandler for Handler {
    async fn handle_request<R: ResponseHandler, T: Time>(
        &self,
        request: &Request,
        mut response: R,
    ) -> ResponseInfo {
        let udp = request.protocol() == Protocol::Udp;
        let src = request.src();
        let queries = request.queries.queries();
        let (qtype, code) = match (request.metadata.op_code, queries) {
            (OpCode::Query, [query]) => (query.query_type(), None),
            (OpCode::Query, _) => (RecordType::Unknown(0), Some(ResponseCode::FormErr)),
            // We are the primary: NOTIFY and UPDATE are not for us.
            _ => (RecordType::Unknown(0), Some(ResponseCode::NotImp)),
        };
        let code = code.or_else(|| match &request.edns {
            Some(edns) if edns.version() > 0 => Some(ResponseCode::BADVERS),
            _ => None,
        });
        let mut edns = request.edns.as_ref().map(|asked| {
            let mut e = Edns::new();
            // No larger than the client takes (RFC 6891 §6.2.5: below 512
            // counts as 512), nor than we send.
            e.set_max_payload(asked.max_payload().clamp(512, UDP_PAYLOAD));
            e
        });
        if let Some(code) = code {
            if let Some(e) = edns.as_mut() {
                e.set_rcode_high(code.high());
            }
            self.stats.count(qtype, code);
            let mut builder = MessageResponseBuilder::new(&request.queries, None);
            if let Some(e) = &edns {
                builder.edns(e);
            }
            let message = builder.error_msg(&request.metadata, code);
            return response
                .send_response(message)
                .await
                .unwrap_or_else(|_| failed(request, ResponseCode::ServFail));
        }
        let query = &queries[0];
        if matches!(qtype, RecordType::AXFR | RecordType::IXFR) {
            return self.transfer(request, response, udp).await;
        }
        let answer = match self.catalog.find(query.name()) {
            Some(zone) => answer::resolve(&zone, query.name(), qtype),
            None => Answer::refused(),
        };
        if self.log.sample() {
            tracing::info!(target: "ksf_dns::query", %src, name = %query.name(), %qtype, code = %answer.code, "query");
        }
        self.stats.count(qtype, answer.code);
        let message = message(request, &answer, edns.as_ref());
        response
            .send_response(message)
            .await
            .unwrap_or_else(|_| failed(request, ResponseCode::ServFail))
    }
}
