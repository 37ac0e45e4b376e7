//! Answers encoded when a zone is loaded, so the common question costs a
//! lookup and a copy (`fast`). Each is encoded by the full path's own
//! code (`handler::message`), so the two cannot drift apart; the
//! differential test in `fast` checks that they do not.
//!
//! The full path writes the question as the query sent it and compresses
//! names only against the records after it, so the sections after the
//! question do not depend on it, except that compression pointers hold
//! offsets from the start of the message. Each prepared answer therefore
//! keeps where its pointers are, and `fast` moves them by the length of
//! the question it answers.

use std::sync::{Arc, LazyLock};

use hickory_proto::op::ResponseCode;
use hickory_proto::rr::{LowerName, RecordType};
use hickory_proto::serialize::binary::BinEncoder;
use hickory_server::net::xfer::Protocol;
use hickory_server::server::Request;
use rustc_hash::{FxHashMap, FxHashSet};

use super::answer::{self, Answer};
use super::handler::{message, UDP_PAYLOAD};
use super::zone::Zone;

/// Where the question ends in the message an answer is prepared in: the
/// header and a question for the root name.
pub const BASE: usize = 12 + 5;

/// A type no zone holds (private use, RFC 6895): what a name answers
/// for any type it lacks.
const ABSENT: RecordType = RecordType::Unknown(0xff00);

/// One answer after its question.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Prepared {
    pub code: ResponseCode,
    /// The header's flags (QR, AA, the response code); the query's RD and
    /// CD are added when it is sent.
    pub flags: u16,
    /// Answer, authority and additional counts.
    pub counts: [u16; 3],
    /// The sections after the question, as if it ended at `BASE`.
    pub body: Box<[u8]>,
    /// Where in `body` each compression pointer starts.
    pub pointers: Box<[u16]>,
}

/// A query for `questions` (wire format, each with type and class).
fn query(questions: &[&[u8]]) -> Vec<u8> {
    let mut bytes = vec![0, 0, 0, 0, 0, questions.len() as u8, 0, 0, 0, 0, 0, 0];
    for q in questions {
        bytes.extend_from_slice(q);
    }
    bytes
}

/// The root name, type A, class IN.
const ROOT_QUESTION: [u8; 5] = [0, 0, 1, 0, 1];

/// A second question of 256 bytes (a name of 252: labels of 63, 63, 63
/// and 58 letters, then type A, class IN), which moves every pointer
/// after it by exactly 0x100: only the pointers' first bytes change, so
/// comparing the two encodings finds them.
const FAR_QUESTION: [u8; 256] = {
    let mut q = [b'x'; 256];
    q[0] = 63;
    q[64] = 63;
    q[128] = 63;
    q[192] = 58;
    q[251] = 0;
    q[252] = 0;
    q[253] = 1;
    q[254] = 0;
    q[255] = 1;
    q
};

/// The whole message the full path sends for `answer` after `questions`
/// (no EDNS, no size limit).
fn encode(answer: &Answer, questions: &[&[u8]]) -> Option<Vec<u8>> {
    let request = Request::from_bytes(query(questions), ([0, 0, 0, 0], 0).into(), Protocol::Udp).ok()?;
    let mut bytes = Vec::with_capacity(512);
    let mut encoder = BinEncoder::new(&mut bytes);
    message(&request, answer, None)
        .destructive_emit(&mut encoder)
        .ok()?;
    Some(bytes)
}

impl Prepared {
    /// `answer` prepared, or `None` when it would not fit a UDP answer
    /// (the full path truncates it) or its encoding is not relocatable.
    pub fn new(answer: &Answer) -> Option<Prepared> {
        let near = encode(answer, &[&ROOT_QUESTION])?;
        if near.len() > usize::from(UDP_PAYLOAD) {
            return None;
        }
        let far = encode(answer, &[&ROOT_QUESTION, &FAR_QUESTION])?;
        let (body, moved) = (near.get(BASE..)?, far.get(BASE + FAR_QUESTION.len()..)?);
        if body.len() != moved.len() {
            return None;
        }
        let mut pointers = Vec::new();
        for (at, (a, b)) in body.iter().zip(moved).enumerate() {
            if a == b {
                continue;
            }
            // A pointer's first byte: 11 and the offset's top six bits.
            if a & 0xc0 != 0xc0 || b.wrapping_sub(*a) != 1 {
                return None;
            }
            pointers.push(u16::try_from(at).ok()?);
        }
        let word = |i: usize| u16::from_be_bytes([near[i], near[i + 1]]);
        Some(Prepared {
            code: answer.code,
            flags: word(2),
            counts: [word(6), word(8), word(10)],
            body: body.into(),
            pointers: pointers.into(),
        })
    }
}

/// One name's answers: by the types that answer differently, and one for
/// every other type. `None`: not prepared (too large for UDP), the full
/// path answers.
#[derive(Debug)]
struct ByType {
    types: Box<[(u16, Option<Arc<Prepared>>)]>,
    other: Option<Arc<Prepared>>,
}

/// A zone's prepared answers, by owner name in lower-case wire format.
#[derive(Debug, Default)]
pub struct Answers {
    names: FxHashMap<Box<[u8]>, ByType>,
    /// A name the zone does not hold: NXDOMAIN with the SOA. `None` when
    /// the zone has wildcards or delegations, which decide such a name's
    /// answer name by name.
    missing: Option<Arc<Prepared>>,
}

/// `name` in uncompressed wire format (lower case, as zone names are).
pub fn wire(name: &LowerName) -> Box<[u8]> {
    let mut out = Vec::with_capacity(name.len() + 1);
    for label in name.iter() {
        out.push(label.len() as u8);
        out.extend_from_slice(label);
    }
    out.push(0);
    out.into()
}

impl Answers {
    /// Prepares every name of `zone` for the types it holds (every type
    /// the zone holds for a CNAME, whose chain depends on the type), and
    /// one answer per name for the rest. Equal answers are shared.
    pub fn build(zone: &Zone) -> Answers {
        let mut shared: FxHashSet<Arc<Prepared>> = FxHashSet::default();
        let mut intern = |p: Option<Prepared>| -> Option<Arc<Prepared>> {
            let p = p?;
            if let Some(known) = shared.get(&p) {
                return Some(known.clone());
            }
            let p = Arc::new(p);
            shared.insert(p.clone());
            Some(p)
        };
        let mut zone_types: Vec<RecordType> = Vec::new();
        for (_, node) in zone.nodes() {
            for t in node.types() {
                if !zone_types.contains(&t) {
                    zone_types.push(t);
                }
            }
        }
        let prepare = |name: &LowerName, t: RecordType| Prepared::new(&answer::resolve(zone, name, t));
        let mut names = FxHashMap::default();
        for (name, node) in zone.nodes() {
            let other = intern(prepare(name, ABSENT));
            let types: Vec<RecordType> = if node.get(RecordType::CNAME).is_some() {
                zone_types.clone()
            } else {
                node.types().collect()
            };
            let mut by_type = Vec::with_capacity(types.len());
            for t in types {
                let p = intern(prepare(name, t));
                if p != other {
                    by_type.push((u16::from(t), p));
                }
            }
            names.insert(
                wire(name),
                ByType {
                    types: by_type.into(),
                    other,
                },
            );
        }
        let missing = if zone.has_wildcards || zone.has_delegations {
            None
        } else {
            intern(Prepared::new(&answer::nxdomain(zone)))
        };
        Answers { names, missing }
    }

    /// The prepared answer to `qname` (lower-case wire format, inside
    /// the zone) and `qtype`, if there is one.
    pub fn get(&self, qname: &[u8], qtype: u16) -> Option<&Prepared> {
        let found = match self.names.get(qname) {
            Some(by_type) => match by_type.types.iter().find(|(t, _)| *t == qtype) {
                Some((_, p)) => p.as_ref(),
                None => by_type.other.as_ref(),
            },
            None => self.missing.as_ref(),
        };
        found.map(|p| &**p)
    }
}

/// A name in no zone we serve: REFUSED.
pub fn refused() -> Option<&'static Prepared> {
    static REFUSED: LazyLock<Option<Prepared>> = LazyLock::new(|| Prepared::new(&Answer::refused()));
    REFUSED.as_ref()
}
