//! The UDP fast path: a plain query for one name (no options but the
//! buffer size) is answered from the zone's prepared answers, reading
//! only the header and the question. Anything else, or an answer that
//! would not fit, goes to the full path (`udp::full`), which answers it
//! as hickory-proto decodes it.

use hickory_proto::rr::RecordType;

use super::handler::{Handler, UDP_PAYLOAD};
use super::prepared::{self, Prepared, BASE};

/// The OPT record the full path adds when the query had one: the root
/// name, type 41, the payload size answered with, no extended code,
/// version 0, no flags (we do not sign, so DO is not echoed), no options.
fn opt(payload: u16) -> [u8; 11] {
    let [high, low] = payload.to_be_bytes();
    [0, 0, 41, high, low, 0, 0, 0, 0, 0, 0]
}

/// The common query, read from a datagram.
#[derive(Debug)]
pub struct Question<'p> {
    /// The question as sent (its case kept, as the answer repeats it).
    pub raw: &'p [u8],
    /// Its name in lower case, wire format.
    pub lower: [u8; 255],
    pub lower_len: usize,
    pub qtype: u16,
    /// With EDNS: the largest answer, the client's payload size within
    /// 512 and ours.
    pub edns: Option<u16>,
}

impl Question<'_> {
    pub fn name(&self) -> &[u8] {
        &self.lower[..self.lower_len]
    }
}

fn word(packet: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*packet.get(at)?, *packet.get(at + 1)?]))
}

/// Reads a query the fast path answers: opcode QUERY, one question of
/// class IN for a data type (not a meta type such as ANY or AXFR), no
/// records but at most an OPT of version 0 without options, nothing after.
pub fn parse(packet: &[u8]) -> Option<Question<'_>> {
    let flags = word(packet, 2)?;
    // QR set (a response) or an opcode other than QUERY.
    if flags & 0xf800 != 0 {
        return None;
    }
    if (word(packet, 4)?, word(packet, 6)?, word(packet, 8)?) != (1, 0, 0) {
        return None;
    }
    let additional = word(packet, 10)?;
    let mut lower = [0u8; 255];
    let mut at = 12;
    loop {
        let len = usize::from(*packet.get(at)?);
        // A pointer or a reserved label type: the full path decides.
        if len & 0xc0 != 0 {
            return None;
        }
        let end = at + 1 + len;
        let label = packet.get(at..end)?;
        lower.get_mut(at - 12..end - 12)?.copy_from_slice(label);
        at = end;
        if len == 0 {
            break;
        }
    }
    let lower_len = at - 12;
    lower[..lower_len].make_ascii_lowercase();
    let qtype = word(packet, at)?;
    if word(packet, at + 2)? != 1 || qtype == 0 || qtype == 41 || (128..=255).contains(&qtype) {
        return None;
    }
    let end = at + 4;
    let rest = packet.get(end..)?;
    let edns = match (additional, rest) {
        (0, []) => None,
        // OPT: root owner, type 41, any payload size, any extended code,
        // version 0, any flags, no data.
        (1, [0, 0, 41, high, low, _, 0, _, _, 0, 0]) => {
            Some(u16::from_be_bytes([*high, *low]).clamp(512, UDP_PAYLOAD))
        }
        _ => return None,
    };
    Some(Question {
        raw: packet.get(12..end)?,
        lower,
        lower_len,
        qtype,
        edns,
    })
}

/// Writes the answer to `packet` into `out` if the fast path has it;
/// returns whether it did.
pub fn answer(handler: &Handler, packet: &[u8], out: &mut Vec<u8>) -> bool {
    let Some(question) = parse(packet) else {
        return false;
    };
    let prepared = handler.catalog.find_wire(question.name());
    let prepared = match &prepared {
        Some(zone) => zone.answers.get(question.name(), question.qtype),
        None => prepared::refused(),
    };
    let Some(prepared) = prepared else {
        return false;
    };
    if !assemble(packet, &question, prepared, out) {
        return false;
    }
    let qtype = RecordType::from(question.qtype);
    handler.stats.count(qtype, prepared.code);
    if handler.log.sample() {
        tracing::info!(target: "ksf_dns::query", name = %name_text(question.name()), %qtype, code = %prepared.code, "query");
    }
    true
}

/// The answer: the query's id, its RD and CD flags, its question as
/// sent, the prepared sections with their pointers moved past that
/// question, and an OPT if the query had one.
fn assemble(packet: &[u8], question: &Question<'_>, p: &Prepared, out: &mut Vec<u8>) -> bool {
    let after_question = 12 + question.raw.len();
    let opt = question.edns.map(opt);
    let size = after_question + p.body.len() + opt.map_or(0, |o| o.len());
    if size > usize::from(question.edns.unwrap_or(512)) {
        return false;
    }
    let (Some(id), Some(asked)) = (packet.get(0..2), word(packet, 2)) else {
        return false;
    };
    let flags = p.flags | (asked & 0x0110);
    let [answers, authority, additional] = p.counts;
    out.clear();
    out.extend_from_slice(id);
    let additional = additional.saturating_add(u16::from(opt.is_some()));
    for w in [flags, 1, answers, authority, additional] {
        out.extend_from_slice(&w.to_be_bytes());
    }
    out.extend_from_slice(question.raw);
    out.extend_from_slice(&p.body);
    let moved = after_question - BASE;
    for &at in p.pointers.iter() {
        let at = after_question + usize::from(at);
        let Some(pointer) = word(out, at) else {
            return false;
        };
        let target = usize::from(pointer & 0x3fff) + moved;
        let Ok(target) = u16::try_from(target) else {
            return false;
        };
        if target > 0x3fff {
            return false;
        }
        out[at..at + 2].copy_from_slice(&(0xc000 | target).to_be_bytes());
    }
    if let Some(opt) = opt {
        out.extend_from_slice(&opt);
    }
    true
}

/// A wire-format name as text, for the sampled query log.
fn name_text(name: &[u8]) -> String {
    let mut text = String::new();
    let mut at = 0;
    while let Some(&len) = name.get(at).filter(|len| **len != 0) {
        let label = name.get(at + 1..at + 1 + usize::from(len)).unwrap_or_default();
        text.push_str(&String::from_utf8_lossy(label));
        text.push('.');
        at += 1 + usize::from(len);
    }
    if text.is_empty() {
        text.push('.');
    }
    text
}
