//! Namecheap's XML answers, read with `quick-xml`'s serde support. Their
//! spelling varies (`DOMAINS` and `domains`, dates with and without a
//! time), so names and flags are compared without regard to case.

use serde::Deserialize;
use time::{Date, Month};

use super::super::registrar::{RegistrarError, TransferState};

#[derive(Debug, Deserialize)]
pub struct ApiResponse {
    #[serde(rename = "@Status")]
    pub status: String,
    #[serde(rename = "Errors", default)]
    pub errors: Errors,
    #[serde(rename = "CommandResponse")]
    pub command: Option<CommandResponse>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Errors {
    #[serde(rename = "Error", default)]
    pub error: Vec<ApiError>,
}

#[derive(Debug, Deserialize)]
pub struct ApiError {
    #[serde(rename = "@Number", default)]
    pub number: String,
    #[serde(rename = "$text", default)]
    pub text: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct CommandResponse {
    #[serde(rename = "DomainCheckResult", default)]
    pub check: Vec<CheckResult>,
    #[serde(rename = "UserGetPricingResult")]
    pub pricing: Option<PricingResult>,
    #[serde(rename = "DomainCreateResult")]
    pub create: Option<CreateResult>,
    #[serde(rename = "DomainRenewResult")]
    pub renew: Option<RenewResult>,
    #[serde(rename = "DomainDNSSetCustomResult")]
    pub set_custom: Option<SetCustomResult>,
    #[serde(rename = "DomainGetInfoResult")]
    pub info: Option<InfoResult>,
    #[serde(rename = "UserGetBalancesResult")]
    pub balances: Option<BalancesResult>,
    #[serde(rename = "DomainGetListResult")]
    pub list: Option<ListResult>,
    #[serde(rename = "Paging")]
    pub paging: Option<Paging>,
    #[serde(rename = "DomainTransferCreateResult")]
    pub transfer_create: Option<TransferCreateResult>,
    #[serde(rename = "DomainTransferGetStatusResult")]
    pub transfer_status: Option<TransferStatusResult>,
    #[serde(rename = "TransferGetListResult")]
    pub transfers: Option<TransferListResult>,
    #[serde(rename = "WhoisguardEnableResult", alias = "WhoisguardDisableResult")]
    pub whoisguard: Option<WhoisguardResult>,
}

#[derive(Debug, Deserialize)]
pub struct TransferCreateResult {
    #[serde(rename = "@Transfer", default)]
    pub transfer: String,
    #[serde(rename = "@TransferID", default)]
    pub transfer_id: String,
}

#[derive(Debug, Deserialize)]
pub struct TransferStatusResult {
    #[serde(rename = "@Status", default)]
    pub status: String,
    #[serde(rename = "@StatusID", default)]
    pub status_id: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct TransferListResult {
    #[serde(rename = "Transfer", default)]
    pub transfers: Vec<ListedTransfer>,
}

#[derive(Debug, Deserialize)]
pub struct ListedTransfer {
    #[serde(rename = "@ID", default)]
    pub id: String,
    #[serde(rename = "@DomainName", default)]
    pub domain: String,
    #[serde(rename = "@Status", default)]
    pub status: String,
    #[serde(rename = "@StatusID", default)]
    pub status_id: String,
}

/// Where a transfer is, from Namecheap's status id and text (their list of
/// transfer statuses: 5 is done; the "Canceled …" ones will not complete).
pub fn transfer_state(status_id: &str, status: &str) -> TransferState {
    let id: Option<i32> = status_id.trim().parse().ok();
    let text = status.trim();
    let lower = text.to_ascii_lowercase();
    if id == Some(5) || lower == "completed" {
        TransferState::Completed
    } else if lower.contains("cancel") || lower.contains("reject") || matches!(id, Some(2 | 4 | 8 | 15..=25))
    {
        TransferState::Failed(if text.is_empty() {
            "The transfer was cancelled.".into()
        } else {
            text.to_string()
        })
    } else {
        TransferState::Pending(if text.is_empty() {
            "Under way".into()
        } else {
            text.to_string()
        })
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ListResult {
    #[serde(rename = "Domain", default)]
    pub domains: Vec<ListedDomain>,
}

#[derive(Debug, Deserialize)]
pub struct ListedDomain {
    #[serde(rename = "@Name", default)]
    pub name: String,
    #[serde(rename = "@Expires", default)]
    pub expires: String,
}

#[derive(Debug, Deserialize)]
pub struct Paging {
    #[serde(rename = "TotalItems", default)]
    pub total: String,
}

#[derive(Debug, Deserialize)]
pub struct CheckResult {
    #[serde(rename = "@Domain")]
    pub domain: String,
    #[serde(rename = "@Available")]
    pub available: String,
    #[serde(rename = "@IsPremiumName", default)]
    pub premium: String,
    #[serde(rename = "@PremiumRegistrationPrice", default)]
    pub premium_price: String,
}

#[derive(Debug, Deserialize)]
pub struct PricingResult {
    #[serde(rename = "ProductType", default)]
    pub types: Vec<ProductType>,
}

#[derive(Debug, Deserialize)]
pub struct ProductType {
    #[serde(rename = "@Name")]
    pub name: String,
    #[serde(rename = "ProductCategory", default)]
    pub categories: Vec<Category>,
}

#[derive(Debug, Deserialize)]
pub struct Category {
    #[serde(rename = "@Name")]
    pub name: String,
    #[serde(rename = "Product", default)]
    pub products: Vec<Product>,
}

#[derive(Debug, Deserialize)]
pub struct Product {
    #[serde(rename = "@Name")]
    pub name: String,
    #[serde(rename = "Price", default)]
    pub prices: Vec<Price>,
}

#[derive(Debug, Deserialize)]
pub struct Price {
    #[serde(rename = "@Duration", default)]
    pub duration: String,
    #[serde(rename = "@DurationType", default)]
    pub duration_type: String,
    #[serde(rename = "@Price", default)]
    pub price: String,
    #[serde(rename = "@YourPrice", default)]
    pub your_price: String,
    #[serde(rename = "@RegularPrice", default)]
    pub regular_price: String,
    #[serde(rename = "@Currency", default)]
    pub currency: String,
}

impl Price {
    /// Our price: Price, else YourPrice, else RegularPrice (some answers
    /// leave the first empty or zero).
    pub fn minor(&self) -> Option<i64> {
        [&self.price, &self.your_price, &self.regular_price]
            .into_iter()
            .filter_map(|p| decimal_minor(p))
            .find(|m| *m > 0)
    }

    pub fn is_one_year(&self) -> bool {
        self.duration.trim() == "1" && self.duration_type.eq_ignore_ascii_case("year")
    }
}

#[derive(Debug, Deserialize)]
pub struct CreateResult {
    #[serde(rename = "@Domain", default)]
    pub domain: String,
    #[serde(rename = "@Registered", default)]
    pub registered: String,
    #[serde(rename = "@DomainID", default)]
    pub domain_id: String,
}

#[derive(Debug, Deserialize)]
pub struct RenewResult {
    #[serde(rename = "@Renew", default)]
    pub renewed: String,
}

#[derive(Debug, Deserialize)]
pub struct SetCustomResult {
    #[serde(rename = "@Updated", default)]
    pub updated: String,
}

#[derive(Debug, Deserialize)]
pub struct InfoResult {
    #[serde(rename = "@ID", default)]
    pub id: String,
    #[serde(rename = "@DomainName", default)]
    pub domain: String,
    #[serde(rename = "@IsOwner", default)]
    pub is_owner: String,
    #[serde(rename = "DomainDetails")]
    pub details: Option<InfoDetails>,
    #[serde(rename = "Whoisguard")]
    pub whoisguard: Option<Whoisguard>,
    #[serde(rename = "DnsDetails")]
    pub dns: Option<DnsDetails>,
}

#[derive(Debug, Deserialize)]
pub struct InfoDetails {
    #[serde(rename = "CreatedDate", default)]
    pub created: String,
    #[serde(rename = "ExpiredDate", default)]
    pub expires: String,
}

#[derive(Debug, Deserialize)]
pub struct Whoisguard {
    #[serde(rename = "@Enabled", default)]
    pub enabled: String,
    #[serde(rename = "ID", default)]
    pub id: String,
}

#[derive(Debug, Deserialize)]
pub struct WhoisguardResult {
    #[serde(rename = "@IsSuccess", default)]
    pub success: String,
}

#[derive(Debug, Deserialize)]
pub struct DnsDetails {
    #[serde(rename = "Nameserver", default)]
    pub nameservers: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct BalancesResult {
    #[serde(rename = "@Currency", default)]
    pub currency: String,
    #[serde(rename = "@AvailableBalance", default)]
    pub available: String,
}

/// "true", "True", "yes".
pub fn flag(s: &str) -> bool {
    matches!(s.trim().to_ascii_lowercase().as_str(), "true" | "yes" | "1")
}

/// "8.88" as 888; at most two decimals and a sane size, else None.
pub fn decimal_minor(s: &str) -> Option<i64> {
    let s = s.trim();
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty() || whole.len() > 9 || !whole.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    // Checked before slicing: only ASCII digits, so no cut character.
    if frac.len() > 12 || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    // Namecheap writes "650.0000": digits past the cent must be zeros.
    let (cents, rest) = frac.split_at(frac.len().min(2));
    if rest.chars().any(|c| c != '0') {
        return None;
    }
    let cents: i64 = format!("{cents:0<2}").parse().ok()?;
    Some(whole.parse::<i64>().ok()? * 100 + cents)
}

/// "04/23/2017" or "4/30/2021 11:31:13 AM".
pub fn us_date(s: &str) -> Option<Date> {
    let day = s.split_whitespace().next()?;
    let mut parts = day.split('/').map(|p| p.parse::<u16>().ok());
    let (m, d, y) = (parts.next()??, parts.next()??, parts.next()??);
    Date::from_calendar_date(
        i32::from(y),
        Month::try_from(u8::try_from(m).ok()?).ok()?,
        u8::try_from(d).ok()?,
    )
    .ok()
}

/// Reads an answer: its command response, or the error it carries mapped
/// to what the portal does about it.
pub fn parse(body: &str) -> Result<CommandResponse, RegistrarError> {
    let answer: ApiResponse =
        quick_xml::de::from_str(body).map_err(|e| RegistrarError::Malformed(e.to_string()))?;
    if answer.status.eq_ignore_ascii_case("OK") {
        return Ok(answer.command.unwrap_or_default());
    }
    let first = answer.errors.error.into_iter().next();
    let (code, text) = first.map_or((String::new(), String::new()), |e| (e.number, e.text));
    Err(error_for(code.trim(), text.trim()))
}

/// Namecheap's error numbers (their API documentation), in the words a
/// customer understands; the rest keep Namecheap's own text.
pub fn error_for(code: &str, text: &str) -> RegistrarError {
    let refused = |message: &str| RegistrarError::Refused {
        code: code.to_string(),
        message: message.to_string(),
    };
    match code {
        "1010101" | "1010102" | "1011102" | "1010105" | "1011105" | "1011150" | "1017150" | "1017105"
        | "1017101" | "1019103" | "1016103" | "1017103" | "1050900" => {
            RegistrarError::Setup(format!("{code}: {text}"))
        }
        "3019166" | "4019166" => refused("This name is no longer available: someone registered it moments ago."),
        "2030280" | "2011280" => refused("The registrar does not sell names with this extension."),
        "2015182" => refused("The registrar refused the phone number: enter it with its country code, like +49 30 1234567."),
        "2015167" => refused("The registrar refused the number of years for this extension."),
        "2011168" => refused("The registrar refused the name servers."),
        "2010323" | "2011322" => refused("The registrar needs more details about the registrant for this extension. Please contact support."),
        "2528166" | "2033409" => refused("The registrar could not take the order."),
        "2011170" | "2030166" => refused("The name cannot be transferred: check it is registered, unlocked at your current registrar and older than 60 days."),
        "2019166" | "2016166" => RegistrarError::NotOurs,
        // Their side failed for now.
        "5050900" | "3031510" | "4022288" | "5019169" => RegistrarError::Unreachable(format!("{code}: {text}")),
        _ => RegistrarError::Refused {
            code: code.to_string(),
            message: if text.is_empty() { "The registrar refused the request.".into() } else { text.to_string() },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transfer_statuses_read_as_done_failed_or_under_way() {
        assert_eq!(
            transfer_state("5", "Transferred and paid successfully"),
            TransferState::Completed
        );
        assert_eq!(transfer_state("", "COMPLETED"), TransferState::Completed);
        assert!(
            matches!(transfer_state("18", "Canceled - domain validation string is invalid"), TransferState::Failed(w) if w.contains("invalid"))
        );
        assert!(matches!(
            transfer_state("-1", "CANCELED"),
            TransferState::Failed(_)
        ));
        assert_eq!(
            transfer_state("14", "Domain transfer initiated and awaiting approval"),
            TransferState::Pending("Domain transfer initiated and awaiting approval".into())
        );
    }

    #[test]
    fn prices_and_dates_read_as_namecheap_writes_them() {
        assert_eq!(decimal_minor("8.88"), Some(888));
        assert_eq!(decimal_minor("650.0000"), Some(65000));
        assert_eq!(decimal_minor("10"), Some(1000));
        assert_eq!(decimal_minor("1.5"), Some(150));
        assert_eq!(decimal_minor("1.005"), None);
        assert_eq!(decimal_minor("-1"), None);
        assert_eq!(decimal_minor("99999999999"), None);
        assert_eq!(decimal_minor("1.5é"), None, "refused, not cut");
        assert_eq!(
            us_date("04/23/2017"),
            Date::from_calendar_date(2017, Month::April, 23).ok()
        );
        assert_eq!(
            us_date("4/30/2021 11:31:13 AM"),
            Date::from_calendar_date(2021, Month::April, 30).ok()
        );
        assert_eq!(us_date("13/40/2021"), None);
        assert_eq!(us_date(""), None);
    }

    #[test]
    fn a_check_answer_is_read() {
        let xml = r#"<?xml version="1.0" encoding="utf-8"?>
<ApiResponse Status="OK" xmlns="http://api.namecheap.com/xml.response">
  <Errors /><Warnings /><RequestedCommand>namecheap.domains.check</RequestedCommand>
  <CommandResponse Type="namecheap.domains.check">
    <DomainCheckResult Domain="free.com" Available="true" ErrorNo="0" Description="" IsPremiumName="false" PremiumRegistrationPrice="0" />
    <DomainCheckResult Domain="abc.com" Available="True" IsPremiumName="true" PremiumRegistrationPrice="1200.00" />
  </CommandResponse>
  <Server>X</Server><GMTTimeDifference>--4:00</GMTTimeDifference><ExecutionTime>0.1</ExecutionTime>
</ApiResponse>"#;
        let r = parse(xml).unwrap();
        assert_eq!(r.check.len(), 2);
        assert!(flag(&r.check[1].available) && flag(&r.check[1].premium));
        assert_eq!(decimal_minor(&r.check[1].premium_price), Some(120000));
    }

    #[test]
    fn an_error_answer_is_mapped() {
        let xml = r#"<ApiResponse Status="ERROR"><Errors><Error Number="1011150">Parameter RequestIP is invalid</Error></Errors><CommandResponse /></ApiResponse>"#;
        assert!(matches!(parse(xml), Err(RegistrarError::Setup(_))));
        let xml = r#"<ApiResponse Status="ERROR"><Errors><Error Number="3019166">Domain not available</Error></Errors></ApiResponse>"#;
        assert!(matches!(parse(xml), Err(RegistrarError::Refused { .. })));
        assert!(matches!(parse("<html>"), Err(RegistrarError::Malformed(_))));
    }

    #[test]
    fn pricing_names_are_read_whatever_their_case() {
        let xml = r#"<ApiResponse Status="OK"><CommandResponse Type="namecheap.users.getPricing"><UserGetPricingResult>
<ProductType Name="DOMAIN"><ProductCategory Name="REGISTER"><Product Name="COM">
<Price Duration="1" DurationType="YEAR" Price="0.0" YourPrice="8.88" RegularPrice="10.98" Currency="USD" />
<Price Duration="2" DurationType="YEAR" Price="17.76" Currency="USD" />
</Product></ProductCategory></ProductType></UserGetPricingResult></CommandResponse></ApiResponse>"#;
        let r = parse(xml).unwrap().pricing.unwrap();
        let category = &r.types[0].categories[0];
        assert!(category.name.eq_ignore_ascii_case("register"));
        let one = category.products[0]
            .prices
            .iter()
            .find(|p| p.is_one_year())
            .unwrap();
        assert_eq!(one.minor(), Some(888));
    }
}
