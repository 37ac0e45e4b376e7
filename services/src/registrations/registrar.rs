//! What the portal asks of a domain registrar, whoever it is. Namecheap's
//! XML API is the one implementation that calls out (`namecheap`); its
//! local stand-in speaks the same API, so tests run the real client.

use time::Date;

use domain::registration::Contact;

/// Is a name free, and at what price if it is premium.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Availability {
    /// Lower-case ASCII, as asked.
    pub name: String,
    pub available: bool,
    /// The registry's own yearly price for a premium name (minor units).
    pub premium_minor: Option<i64>,
}

/// The registrar's yearly cost of a TLD (minor units).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TldCost {
    pub tld: String,
    pub register_minor: i64,
    pub renew_minor: Option<i64>,
    pub transfer_minor: Option<i64>,
    pub currency: String,
}

/// A registration to make.
#[derive(Debug, Clone, Copy)]
pub struct NewRegistration<'a> {
    pub name: &'a str,
    pub years: i32,
    pub contact: &'a Contact,
    pub nameservers: &'a [String],
    pub whois_privacy: bool,
}

/// What the registrar made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registered {
    pub registrar_domain_id: String,
}

/// A transfer in to our reseller account.
#[derive(Debug, Clone, Copy)]
pub struct NewTransfer<'a> {
    pub name: &'a str,
    pub auth_code: &'a str,
    pub whois_privacy: bool,
}

/// Where a transfer in is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransferState {
    /// Still under way; the registrar's words for the step it is at.
    Pending(String),
    /// The name is in our reseller account.
    Completed,
    /// Cancelled (a wrong auth code, a locked name, …), in the registrar's
    /// words: it will not complete.
    Failed(String),
}

/// A domain as the registrar holds it in our reseller account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainInfo {
    pub name: String,
    pub registrar_domain_id: String,
    pub created: Option<Date>,
    pub expires: Option<Date>,
    pub whois_privacy: bool,
    /// The registrar's id of the name's WHOIS privacy service, if any.
    pub whois_privacy_id: Option<String>,
    pub nameservers: Vec<String>,
}

/// A domain in the registrar's list of our reseller account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub name: String,
    pub expires: Option<Date>,
}

/// The reseller account's money.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Balance {
    pub available_minor: i64,
    pub currency: String,
}

/// Why a call did not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum RegistrarError {
    /// The registrar said no, and asking again will not change that. The
    /// message is for the customer.
    #[error("{message}")]
    Refused { code: String, message: String },
    /// The registrar does not hold this domain for us.
    #[error("the registrar does not hold this domain for us")]
    NotOurs,
    /// Not reached, timed out, or a temporary failure there: safe to retry.
    #[error("the registrar did not answer: {0}")]
    Unreachable(String),
    /// Our credentials or this server's address were refused: the
    /// operator must fix the set-up.
    #[error("the registrar refused our credentials: {0}")]
    Setup(String),
    /// An answer that could not be read.
    #[error("the registrar's answer could not be read: {0}")]
    Malformed(String),
}

impl RegistrarError {
    /// Worth trying again later.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Unreachable(_) | Self::Malformed(_))
    }
}

/// A domain registrar.
#[async_trait::async_trait]
pub trait Registrar: std::fmt::Debug + Send + Sync {
    /// As stored with a registration ("namecheap", "manual").
    fn name(&self) -> &'static str;
    /// Names are registered by staff, by hand (`manual`): paid orders wait
    /// in their queue instead of being sent anywhere.
    fn is_manual(&self) -> bool {
        false
    }
    /// Availability of each name (at most 50 at once).
    async fn check(&self, names: &[String]) -> Result<Vec<Availability>, RegistrarError>;
    /// The yearly cost of every TLD the registrar sells.
    async fn costs(&self) -> Result<Vec<TldCost>, RegistrarError>;
    async fn register(&self, r: NewRegistration<'_>) -> Result<Registered, RegistrarError>;
    /// Adds `years` to a name our reseller account holds.
    async fn renew(&self, name: &str, years: i32) -> Result<(), RegistrarError>;
    async fn set_nameservers(
        &self,
        sld: &str,
        tld: &str,
        nameservers: &[String],
    ) -> Result<(), RegistrarError>;
    /// Submits a transfer in (one year is added); answers its id.
    async fn transfer(&self, t: NewTransfer<'_>) -> Result<String, RegistrarError>;
    /// The id of a transfer in of `name` still under way, if there is one
    /// (a submission whose answer was lost is found again, not repeated).
    async fn find_transfer(&self, name: &str) -> Result<Option<String>, RegistrarError>;
    async fn transfer_status(&self, id: &str) -> Result<TransferState, RegistrarError>;
    /// Turns WHOIS privacy of a name we hold on or off (mail to the
    /// hidden address is forwarded to `forward_to`).
    async fn set_whois_privacy(&self, name: &str, on: bool, forward_to: &str) -> Result<(), RegistrarError>;
    /// The domain, if our reseller account holds it.
    async fn info(&self, name: &str) -> Result<Option<DomainInfo>, RegistrarError>;
    async fn balance(&self) -> Result<Balance, RegistrarError>;
    /// Every domain our reseller account holds (for reconciliation).
    async fn list(&self) -> Result<Vec<Listed>, RegistrarError>;
}
