//! Namecheap's XML API (`NAMECHEAP_API_BASE`: their production endpoint by
//! default, `https://api.sandbox.namecheap.com/xml.response` for their
//! sandbox, the local stand-in in development and tests). Every call is a
//! form POST with the global parameters, bounded by a timeout.

pub mod xml;

use std::time::Duration;

use super::registrar::{
    Availability, Balance, DomainInfo, Listed, NewRegistration, NewTransfer, Registered, Registrar,
    RegistrarError, TldCost, TransferState,
};

pub const PRODUCTION: &str = "https://api.namecheap.com/xml.response";

/// Who we are to Namecheap.
#[derive(Clone)]
pub struct NamecheapConfig {
    pub base_url: String,
    pub api_user: String,
    pub api_key: String,
    /// Usually the same as the API user.
    pub user_name: String,
    /// This server's public IPv4 address, as whitelisted at Namecheap.
    pub client_ip: String,
}

#[derive(Clone)]
pub struct Namecheap {
    config: NamecheapConfig,
    http: reqwest::Client,
}

impl std::fmt::Debug for Namecheap {
    // Never print the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Namecheap")
            .field("base_url", &self.config.base_url)
            .field("api_user", &self.config.api_user)
            .finish_non_exhaustive()
    }
}

/// Ordinary calls; registering waits longer (registries can be slow).
const TIMEOUT: Duration = Duration::from_secs(20);
const REGISTER_TIMEOUT: Duration = Duration::from_secs(90);
/// The largest answer read.
const MAX_ANSWER: usize = 4 << 20;

impl Namecheap {
    pub fn new(config: NamecheapConfig) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .user_agent(concat!("ksf/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { config, http })
    }

    pub fn base_url(&self) -> &str {
        &self.config.base_url
    }

    #[tracing::instrument(name = "namecheap", skip(self, params), fields(command))]
    async fn call(
        &self,
        command: &str,
        params: &[(String, String)],
        timeout: Duration,
    ) -> Result<xml::CommandResponse, RegistrarError> {
        let c = &self.config;
        let mut form: Vec<(&str, &str)> = vec![
            ("ApiUser", &c.api_user),
            ("ApiKey", &c.api_key),
            ("UserName", &c.user_name),
            ("ClientIp", &c.client_ip),
            ("Command", command),
        ];
        form.extend(params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let answer = self
            .http
            .post(&c.base_url)
            .timeout(timeout)
            .form(&form)
            .send()
            .await
            .map_err(|e| RegistrarError::Unreachable(e.without_url().to_string()))?;
        let status = answer.status();
        // Namecheap answers 405 when calls come too fast.
        if status.is_server_error()
            || status == reqwest::StatusCode::METHOD_NOT_ALLOWED
            || status == reqwest::StatusCode::TOO_MANY_REQUESTS
        {
            return Err(RegistrarError::Unreachable(format!("HTTP {status}")));
        }
        // Read at most 4 MiB: a hostile or broken answer cannot fill memory.
        let mut answer = answer;
        let mut bytes = Vec::new();
        while let Some(chunk) = answer
            .chunk()
            .await
            .map_err(|e| RegistrarError::Unreachable(e.without_url().to_string()))?
        {
            if bytes.len() + chunk.len() > MAX_ANSWER {
                return Err(RegistrarError::Malformed("an answer over 4 MiB".into()));
            }
            bytes.extend_from_slice(&chunk);
        }
        let body = String::from_utf8(bytes).map_err(|_| RegistrarError::Malformed("not UTF-8".into()))?;
        xml::parse(&body).inspect_err(|e| tracing::warn!(error = %e, command, "namecheap refused"))
    }
}

fn p(key: &str, value: impl ToString) -> (String, String) {
    (key.to_string(), value.to_string())
}

/// Registrant, tech, admin and billing: the same person.
fn contact_params(r: &NewRegistration<'_>) -> Vec<(String, String)> {
    let c = r.contact;
    let mut out = Vec::new();
    for role in ["Registrant", "Tech", "Admin", "AuxBilling"] {
        let field = |name: &str| format!("{role}{name}");
        for (name, value) in [
            ("FirstName", &c.first_name),
            ("LastName", &c.last_name),
            ("OrganizationName", &c.organization),
            ("Address1", &c.address1),
            ("Address2", &c.address2),
            ("City", &c.city),
            ("StateProvince", &c.state_province),
            ("PostalCode", &c.postal_code),
            ("Country", &c.country),
            ("Phone", &c.phone),
            ("EmailAddress", &c.email),
        ] {
            if !value.is_empty() {
                out.push((field(name), value.clone()));
            }
        }
    }
    out
}

/// Namecheap takes codes with symbols only base64-encoded, as `base64:…`.
fn epp_code(code: &str) -> String {
    use base64::Engine as _;
    if code.chars().all(|c| c.is_ascii_alphanumeric()) {
        code.to_string()
    } else {
        format!(
            "base64:{}",
            base64::engine::general_purpose::STANDARD.encode(code)
        )
    }
}

#[async_trait::async_trait]
impl Registrar for Namecheap {
    fn name(&self) -> &'static str {
        "namecheap"
    }

    async fn check(&self, names: &[String]) -> Result<Vec<Availability>, RegistrarError> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let list = names[..names.len().min(50)].join(",");
        let r = self
            .call("namecheap.domains.check", &[p("DomainList", list)], TIMEOUT)
            .await?;
        Ok(r.check
            .into_iter()
            .map(|c| Availability {
                name: c.domain.trim().to_ascii_lowercase(),
                available: xml::flag(&c.available),
                premium_minor: xml::flag(&c.premium)
                    .then(|| xml::decimal_minor(&c.premium_price))
                    .flatten(),
            })
            .collect())
    }

    async fn costs(&self) -> Result<Vec<TldCost>, RegistrarError> {
        let r = self
            .call(
                "namecheap.users.getPricing",
                &[p("ProductType", "DOMAIN")],
                TIMEOUT,
            )
            .await?;
        let pricing = r
            .pricing
            .ok_or_else(|| RegistrarError::Malformed("no pricing in the answer".into()))?;
        let mut costs: std::collections::BTreeMap<String, TldCost> = Default::default();
        for category in pricing.types.iter().flat_map(|t| &t.categories) {
            let action = category.name.to_ascii_lowercase();
            for product in &category.products {
                let Some(price) = product.prices.iter().find(|p| p.is_one_year()) else {
                    continue;
                };
                let Some(minor) = price.minor() else { continue };
                let tld = product.name.trim().to_ascii_lowercase();
                let entry = costs.entry(tld.clone()).or_insert_with(|| TldCost {
                    tld,
                    register_minor: 0,
                    renew_minor: None,
                    transfer_minor: None,
                    currency: price.currency.trim().to_ascii_lowercase(),
                });
                match action.as_str() {
                    "register" => entry.register_minor = minor,
                    "renew" => entry.renew_minor = Some(minor),
                    "transfer" => entry.transfer_minor = Some(minor),
                    _ => {}
                }
            }
        }
        Ok(costs.into_values().filter(|c| c.register_minor > 0).collect())
    }

    async fn register(&self, r: NewRegistration<'_>) -> Result<Registered, RegistrarError> {
        let privacy = if r.whois_privacy { "yes" } else { "no" };
        let mut params = vec![
            p("DomainName", r.name),
            p("Years", r.years),
            p("Nameservers", r.nameservers.join(",")),
            p("AddFreeWhoisguard", privacy),
            p("WGEnabled", privacy),
        ];
        // Namecheap takes internationalised names only with their language.
        if let Some(code) = domain::registration::idn_language(r.name) {
            params.push(p("IdnCode", code));
        }
        params.extend(contact_params(&r));
        let answer = self
            .call("namecheap.domains.create", &params, REGISTER_TIMEOUT)
            .await?;
        let created = answer
            .create
            .ok_or_else(|| RegistrarError::Malformed("no DomainCreateResult".into()))?;
        if !xml::flag(&created.registered) {
            return Err(RegistrarError::Refused {
                code: String::new(),
                message: "The registrar did not register the name.".into(),
            });
        }
        Ok(Registered {
            registrar_domain_id: created.domain_id,
        })
    }

    async fn renew(&self, name: &str, years: i32) -> Result<(), RegistrarError> {
        let answer = self
            .call(
                "namecheap.domains.renew",
                &[p("DomainName", name), p("Years", years)],
                REGISTER_TIMEOUT,
            )
            .await?;
        match answer.renew {
            Some(r) if xml::flag(&r.renewed) => Ok(()),
            _ => Err(RegistrarError::Refused {
                code: String::new(),
                message: "The registrar did not renew the name.".into(),
            }),
        }
    }

    async fn set_nameservers(
        &self,
        sld: &str,
        tld: &str,
        nameservers: &[String],
    ) -> Result<(), RegistrarError> {
        let answer = self
            .call(
                "namecheap.domains.dns.setCustom",
                &[
                    p("SLD", sld),
                    p("TLD", tld),
                    p("Nameservers", nameservers.join(",")),
                ],
                TIMEOUT,
            )
            .await?;
        match answer.set_custom {
            Some(r) if xml::flag(&r.updated) => Ok(()),
            _ => Err(RegistrarError::Malformed(
                "the name servers were not updated".into(),
            )),
        }
    }

    async fn transfer(&self, t: NewTransfer<'_>) -> Result<String, RegistrarError> {
        let privacy = if t.whois_privacy { "yes" } else { "no" };
        let answer = self
            .call(
                "namecheap.domains.transfer.create",
                &[
                    p("DomainName", t.name),
                    // Namecheap takes one year only (added to the expiry).
                    p("Years", 1),
                    p("EPPCode", epp_code(t.auth_code)),
                    p("AddFreeWhoisguard", privacy),
                    p("WGEnable", privacy),
                ],
                REGISTER_TIMEOUT,
            )
            .await?;
        match answer.transfer_create {
            Some(r) if xml::flag(&r.transfer) && !r.transfer_id.trim().is_empty() => {
                Ok(r.transfer_id.trim().to_string())
            }
            _ => Err(RegistrarError::Refused {
                code: String::new(),
                message: "The registrar did not accept the transfer.".into(),
            }),
        }
    }

    async fn find_transfer(&self, name: &str) -> Result<Option<String>, RegistrarError> {
        let answer = self
            .call(
                "namecheap.domains.transfer.getList",
                &[
                    p("ListType", "INPROGRESS"),
                    p("SearchTerm", name),
                    p("PageSize", 20),
                ],
                TIMEOUT,
            )
            .await?;
        Ok(answer
            .transfers
            .unwrap_or_default()
            .transfers
            .into_iter()
            .find(|t| t.domain.trim().eq_ignore_ascii_case(name))
            .map(|t| t.id.trim().to_string())
            .filter(|id| !id.is_empty()))
    }

    async fn transfer_status(&self, id: &str) -> Result<TransferState, RegistrarError> {
        let answer = self
            .call(
                "namecheap.domains.transfer.getStatus",
                &[p("TransferID", id)],
                TIMEOUT,
            )
            .await?;
        let status = answer
            .transfer_status
            .ok_or_else(|| RegistrarError::Malformed("no DomainTransferGetStatusResult".into()))?;
        Ok(xml::transfer_state(&status.status_id, &status.status))
    }

    async fn set_whois_privacy(&self, name: &str, on: bool, forward_to: &str) -> Result<(), RegistrarError> {
        let id = self
            .info(name)
            .await?
            .ok_or(RegistrarError::NotOurs)?
            .whois_privacy_id
            .ok_or_else(|| RegistrarError::Refused {
                code: String::new(),
                message: "WHOIS privacy is not available for this name.".into(),
            })?;
        let answer = if on {
            self.call(
                "namecheap.whoisguard.enable",
                &[p("WhoisguardID", &id), p("ForwardedToEmail", forward_to)],
                TIMEOUT,
            )
            .await?
        } else {
            self.call("namecheap.whoisguard.disable", &[p("WhoisguardID", &id)], TIMEOUT)
                .await?
        };
        match answer.whoisguard {
            Some(r) if xml::flag(&r.success) => Ok(()),
            _ => Err(RegistrarError::Malformed("WHOIS privacy was not changed".into())),
        }
    }

    async fn info(&self, name: &str) -> Result<Option<DomainInfo>, RegistrarError> {
        let answer = match self
            .call("namecheap.domains.getInfo", &[p("DomainName", name)], TIMEOUT)
            .await
        {
            Ok(a) => a,
            Err(RegistrarError::NotOurs) => return Ok(None),
            Err(e) => return Err(e),
        };
        let Some(info) = answer.info else {
            return Ok(None);
        };
        if !info.is_owner.is_empty() && !xml::flag(&info.is_owner) {
            return Ok(None);
        }
        Ok(Some(DomainInfo {
            name: info.domain.trim().to_ascii_lowercase(),
            registrar_domain_id: info.id,
            created: info.details.as_ref().and_then(|d| xml::us_date(&d.created)),
            expires: info.details.as_ref().and_then(|d| xml::us_date(&d.expires)),
            whois_privacy: info.whoisguard.as_ref().is_some_and(|w| xml::flag(&w.enabled)),
            whois_privacy_id: info
                .whoisguard
                .as_ref()
                .map(|w| w.id.trim().to_string())
                .filter(|id| !id.is_empty() && id != "0"),
            nameservers: info
                .dns
                .map(|d| {
                    d.nameservers
                        .into_iter()
                        .map(|n| n.trim().to_ascii_lowercase())
                        .collect()
                })
                .unwrap_or_default(),
        }))
    }

    async fn balance(&self) -> Result<Balance, RegistrarError> {
        let answer = self.call("namecheap.users.getBalances", &[], TIMEOUT).await?;
        let b = answer
            .balances
            .ok_or_else(|| RegistrarError::Malformed("no balances in the answer".into()))?;
        Ok(Balance {
            available_minor: xml::decimal_minor(&b.available)
                .ok_or_else(|| RegistrarError::Malformed("the balance is not a number".into()))?,
            currency: b.currency.trim().to_ascii_lowercase(),
        })
    }

    async fn list(&self) -> Result<Vec<Listed>, RegistrarError> {
        const PAGE: usize = 100;
        let mut out = Vec::new();
        // At most 100 pages (10,000 domains) a run.
        for page in 1..=100 {
            let answer = self
                .call(
                    "namecheap.domains.getList",
                    &[p("Page", page), p("PageSize", PAGE), p("ListType", "ALL")],
                    TIMEOUT,
                )
                .await?;
            let domains = answer.list.unwrap_or_default().domains;
            let got = domains.len();
            out.extend(domains.into_iter().map(|d| Listed {
                name: d.name.trim().to_ascii_lowercase(),
                expires: xml::us_date(&d.expires),
            }));
            let total = answer
                .paging
                .and_then(|p| p.total.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if got < PAGE || out.len() >= total {
                break;
            }
        }
        Ok(out)
    }
}
