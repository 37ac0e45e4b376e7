//! One DNS question to one server, the way a resolver asks it: over UDP
//! with EDNS, again over TCP when the answer was truncated. The
//! propagation check and the delegation check ask servers directly, so
//! they see what that server says, not what some cache remembers.

use std::net::SocketAddr;
use std::time::Duration;

use hickory_proto::op::{Edns, Message, MessageType, OpCode, Query};
use hickory_proto::rr::{Name, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};

/// How long one server gets to answer.
pub const TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error("no answer within {} seconds", TIMEOUT.as_secs())]
    Timeout,
    #[error("could not reach it: {0}")]
    Io(#[from] std::io::Error),
    #[error("its answer could not be read")]
    Malformed,
}

/// Asks `server` for `name`/`record_type`. `recursion` asks a resolver to
/// find the answer; an authoritative server is asked without it.
pub async fn ask(
    server: SocketAddr,
    name: &Name,
    record_type: RecordType,
    recursion: bool,
) -> Result<Message, ProbeError> {
    let mut query = Message::new(new_id(), MessageType::Query, OpCode::Query);
    query.metadata.recursion_desired = recursion;
    query.add_query(Query::query(name.clone(), record_type));
    let mut edns = Edns::new();
    edns.set_max_payload(1232);
    query.set_edns(edns);
    let answer = exchange_udp(server, &query).await?;
    if !answer.metadata.truncation {
        return Ok(answer);
    }
    let bytes = query.to_vec().map_err(|_| ProbeError::Malformed)?;
    tokio::time::timeout(TIMEOUT, tcp(server, &bytes, query.metadata.id))
        .await
        .map_err(|_| ProbeError::Timeout)?
}

/// A random message id.
pub fn new_id() -> u16 {
    (uuid::Uuid::new_v4().as_u128() & 0xffff) as u16
}

/// Sends `message` to `server` over UDP and waits (at most `TIMEOUT`) for
/// the response with its id. Also how `ksf dns` sends NOTIFY.
pub async fn exchange_udp(server: SocketAddr, message: &Message) -> Result<Message, ProbeError> {
    let bytes = message.to_vec().map_err(|_| ProbeError::Malformed)?;
    tokio::time::timeout(TIMEOUT, udp(server, &bytes, message.metadata.id))
        .await
        .map_err(|_| ProbeError::Timeout)?
}

async fn udp(server: SocketAddr, bytes: &[u8], id: u16) -> Result<Message, ProbeError> {
    let local: SocketAddr = if server.is_ipv4() {
        ([0, 0, 0, 0], 0).into()
    } else {
        ([0u16; 8], 0).into()
    };
    let socket = UdpSocket::bind(local).await?;
    socket.connect(server).await?;
    socket.send(bytes).await?;
    let mut buf = vec![0u8; 4096];
    loop {
        let n = socket.recv(&mut buf).await?;
        // A stray datagram (another id) is not our answer: keep waiting.
        if let Ok(message) = Message::from_vec(&buf[..n]) {
            if message.metadata.id == id && message.metadata.message_type == MessageType::Response {
                return Ok(message);
            }
        }
    }
}

async fn tcp(server: SocketAddr, bytes: &[u8], id: u16) -> Result<Message, ProbeError> {
    let mut stream = TcpStream::connect(server).await?;
    let len = u16::try_from(bytes.len()).map_err(|_| ProbeError::Malformed)?;
    stream.write_all(&len.to_be_bytes()).await?;
    stream.write_all(bytes).await?;
    let message = read_tcp_message(&mut stream).await?;
    if message.metadata.id != id {
        return Err(ProbeError::Malformed);
    }
    Ok(message)
}

/// One length-prefixed message from a TCP stream (RFC 1035 §4.2.2).
pub async fn read_tcp_message(stream: &mut TcpStream) -> Result<Message, ProbeError> {
    let mut len = [0u8; 2];
    stream.read_exact(&mut len).await?;
    let mut buf = vec![0u8; usize::from(u16::from_be_bytes(len))];
    stream.read_exact(&mut buf).await?;
    Message::from_vec(&buf).map_err(|_| ProbeError::Malformed)
}
