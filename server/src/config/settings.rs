//! Every setting of the portal: one attribute each, with its variable, its
//! default and its help. `ksf --help` prints them; `Config::from_settings`
//! applies the rules between them.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::builder::BoolishValueParser;
use clap::{value_parser, ArgAction, Args};

use super::values::{Address, DnsAddresses, Domain, HttpUrl, Mode, Nameservers, Networks, RegionServers};

const WEB: &str = "Web";
const MAIL: &str = "Email";
const LIMITS: &str = "Limits";
const BILLING: &str = "Billing";
const DNS: &str = "DNS";
const DOMAINS: &str = "Domain registration";

fn limits() -> services::rate_limit::Limits {
    services::rate_limit::Limits::default()
}

const MB: i64 = 1_048_576;

#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// PostgreSQL, e.g. postgres://user@127.0.0.1:5432/ksf (./scripts/run sets it)
    #[arg(
        long,
        env = "DATABASE_URL",
        value_name = "DATABASE_URL",
        global = true,
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// Log lines as readable text, or as JSON objects (one per line, with the request's id and route)
    #[arg(
        long,
        env = "KSF_LOG_FORMAT",
        value_name = "KSF_LOG_FORMAT",
        global = true,
        hide_env_values = true,
        value_enum,
        ignore_case = true,
        default_value = "text"
    )]
    pub log_format: crate::telemetry::LogFormat,
    /// Send server errors (with their reference and causes), panics and browser errors to Sentry or a compatible collector (GlitchTip)
    #[arg(
        long,
        env = "SENTRY_DSN",
        value_name = "SENTRY_DSN",
        global = true,
        hide_env_values = true
    )]
    pub sentry_dsn: Option<sentry::types::Dsn>,
    /// The environment errors are filed under in the collector
    #[arg(
        long,
        env = "SENTRY_ENVIRONMENT",
        value_name = "SENTRY_ENVIRONMENT",
        global = true,
        hide_env_values = true,
        default_value = "production"
    )]
    pub sentry_environment: String,
    /// Database connections this process keeps
    #[arg(long, env = "KSF_DB_MAX_CONNECTIONS", value_name = "KSF_DB_MAX_CONNECTIONS", global = true, hide_env_values = true,
        default_value_t = 20, value_parser = value_parser!(u32).range(1..=1000))]
    pub db_max_connections: u32,
    /// Longest a statement of the portal or `ksf dns` may run, lock waits included, before it fails with a clear error (0: no limit; migrations and backups have none)
    #[arg(long, env = "KSF_DB_STATEMENT_TIMEOUT_SECONDS", value_name = "KSF_DB_STATEMENT_TIMEOUT_SECONDS", global = true, hide_env_values = true,
        default_value_t = 30, value_parser = value_parser!(u64).range(0..=3600))]
    pub db_statement_timeout_seconds: u64,

    /// Where the web server listens
    #[arg(long, env = "LEPTOS_SITE_ADDR", value_name = "LEPTOS_SITE_ADDR", global = true, hide_env_values = true,
        help_heading = WEB, default_value = "127.0.0.1:3000")]
    pub site_addr: SocketAddr,
    /// The public base URL (links in email, cookie security, allowed Origin); http:// + LEPTOS_SITE_ADDR if unset
    #[arg(long, env = "KSF_SITE_URL", value_name = "KSF_SITE_URL", global = true, hide_env_values = true, help_heading = WEB)]
    pub site_url: Option<HttpUrl>,
    /// DEV for development mode (dev mailbox, demo logins, built-in key; loopback only), else production
    #[arg(long, env = "LEPTOS_ENV", value_name = "LEPTOS_ENV", global = true, hide_env_values = true,
        help_heading = WEB, default_value = "PROD")]
    pub mode: Mode,
    /// Requests taking longer get 408
    #[arg(long, env = "KSF_REQUEST_TIMEOUT_SECS", value_name = "KSF_REQUEST_TIMEOUT_SECS", global = true, hide_env_values = true,
        help_heading = WEB, default_value_t = 30, value_parser = value_parser!(u64).range(1..=3600))]
    pub request_timeout_secs: u64,
    /// Addresses or CIDR ranges of reverse proxies whose X-Forwarded-For is believed
    #[arg(long, env = "KSF_TRUSTED_PROXIES", value_name = "KSF_TRUSTED_PROXIES", global = true, hide_env_values = true, help_heading = WEB)]
    pub trusted_proxies: Option<Networks>,
    /// Who may read /metrics without a token: these peers, unless the request came through a proxy
    #[arg(long, env = "KSF_METRICS_ALLOW", value_name = "KSF_METRICS_ALLOW", global = true, hide_env_values = true,
        help_heading = WEB, default_value = "127.0.0.0/8,::1")]
    pub metrics_allow: Networks,
    /// A bearer token (16+ characters) that opens /metrics from anywhere
    #[arg(long, env = "KSF_METRICS_TOKEN", value_name = "KSF_METRICS_TOKEN", global = true, hide_env_values = true, help_heading = WEB)]
    pub metrics_token: Option<String>,
    /// The name of the built site's files (cargo leptos sets it)
    #[arg(long, env = "LEPTOS_OUTPUT_NAME", value_name = "LEPTOS_OUTPUT_NAME", global = true, hide_env_values = true,
        help_heading = WEB, default_value = "ksf")]
    pub output_name: String,
    /// Where the built assets are served from
    #[arg(long, env = "LEPTOS_SITE_ROOT", value_name = "LEPTOS_SITE_ROOT", global = true, hide_env_values = true,
        help_heading = WEB, default_value = "target/site")]
    pub site_root: String,
    /// The assets' folder under the site root
    #[arg(long, env = "LEPTOS_SITE_PKG_DIR", value_name = "LEPTOS_SITE_PKG_DIR", global = true, hide_env_values = true,
        help_heading = WEB, default_value = "pkg")]
    pub site_pkg_dir: String,
    /// Asset names carry content hashes (on when LEPTOS_HASH_FILE_NAME is beside the binary)
    #[arg(long, env = "LEPTOS_HASH_FILES", value_name = "LEPTOS_HASH_FILES", global = true, hide_env_values = true,
        help_heading = WEB, action = ArgAction::Set, value_parser = BoolishValueParser::new())]
    pub hash_files: Option<bool>,
    /// The file of asset hashes cargo leptos writes beside the binary
    #[arg(long, env = "LEPTOS_HASH_FILE_NAME", value_name = "LEPTOS_HASH_FILE_NAME", global = true, hide_env_values = true,
        help_heading = WEB, default_value = "hash.txt")]
    pub hash_file_name: String,
    /// The port cargo leptos watch reloads the browser through
    #[arg(long, env = "LEPTOS_RELOAD_PORT", value_name = "LEPTOS_RELOAD_PORT", global = true, hide_env_values = true,
        help_heading = WEB, default_value_t = 3001)]
    pub reload_port: u32,
    /// 64 hex digits sealing two-factor secrets (ksf generate-key); required in production
    #[arg(long, env = "KSF_SECRET_KEY", value_name = "KSF_SECRET_KEY", global = true, hide_env_values = true, help_heading = WEB)]
    pub secret_key: Option<String>,
    /// Staff must turn on two-factor first (true in production, false in development)
    #[arg(long, env = "KSF_STAFF_REQUIRE_2FA", value_name = "KSF_STAFF_REQUIRE_2FA", global = true, hide_env_values = true,
        help_heading = WEB, action = ArgAction::Set, value_parser = BoolishValueParser::new())]
    pub staff_require_2fa: Option<bool>,
    /// Where files are kept (ticket attachments); back it up with the database
    #[arg(long, env = "KSF_DATA_DIR", value_name = "KSF_DATA_DIR", global = true, hide_env_values = true,
        help_heading = WEB, default_value = "data")]
    pub data_dir: PathBuf,
    /// Memory per password hash in KiB (Argon2id; production refuses less than OWASP's 19456)
    #[arg(long, env = "KSF_PASSWORD_HASH_MEMORY_KIB", value_name = "KSF_PASSWORD_HASH_MEMORY_KIB", global = true, hide_env_values = true,
        help_heading = WEB, default_value_t = services::passwords::HashCost::OWASP.memory_kib, value_parser = value_parser!(u32).range(8..=1_048_576))]
    pub password_hash_memory_kib: u32,
    /// Passes per password hash (Argon2id; production refuses fewer than 2)
    #[arg(long, env = "KSF_PASSWORD_HASH_ITERATIONS", value_name = "KSF_PASSWORD_HASH_ITERATIONS", global = true, hide_env_values = true,
        help_heading = WEB, default_value_t = services::passwords::HashCost::OWASP.iterations, value_parser = value_parser!(u32).range(1..=20))]
    pub password_hash_iterations: u32,

    /// Raw usage samples older than this many days are deleted (rollups are kept)
    #[arg(long, env = "KSF_USAGE_RETENTION_DAYS", value_name = "KSF_USAGE_RETENTION_DAYS", global = true, hide_env_values = true,
        help_heading = WEB, default_value_t = 400, value_parser = value_parser!(i64).range(1..=1_000_000))]
    pub usage_retention_days: i64,
    /// Activity-log entries older than this many days are deleted
    #[arg(long, env = "KSF_ACTIVITY_RETENTION_DAYS", value_name = "KSF_ACTIVITY_RETENTION_DAYS", global = true, hide_env_values = true,
        help_heading = WEB, default_value_t = 365, value_parser = value_parser!(i64).range(30..=36_500))]
    pub activity_retention_days: i64,

    /// Resend's API key; unset, mail stays in the outbox (shown at /dev/mailbox in development)
    #[arg(long, env = "RESEND_API_KEY", value_name = "RESEND_API_KEY", global = true, hide_env_values = true, help_heading = MAIL)]
    pub resend_api_key: Option<String>,
    /// Where the email worker sends (Resend's API if unset)
    #[arg(long, env = "RESEND_BASE_URL", value_name = "RESEND_BASE_URL", global = true, hide_env_values = true, help_heading = MAIL)]
    pub resend_base_url: Option<HttpUrl>,
    /// The signing secret of Resend's webhook to /webhooks/resend (whsec_…); unset, delivery is not tracked
    #[arg(long, env = "RESEND_WEBHOOK_SECRET", value_name = "RESEND_WEBHOOK_SECRET", global = true, hide_env_values = true, help_heading = MAIL)]
    pub resend_webhook_secret: Option<services::mail::delivery::WebhookSecret>,
    /// The sender of every email, e.g. "KSFoundation <no-reply@example.com>"
    #[arg(long, env = "KSF_MAIL_FROM", value_name = "KSF_MAIL_FROM", global = true, hide_env_values = true, help_heading = MAIL)]
    pub mail_from: Option<String>,
    /// A Reply-To address for every email
    #[arg(long, env = "KSF_MAIL_REPLY_TO", value_name = "KSF_MAIL_REPLY_TO", global = true, hide_env_values = true, help_heading = MAIL)]
    pub mail_reply_to: Option<String>,
    /// Run the email worker in this process (another process must if false)
    #[arg(long, env = "KSF_MAIL_WORKER", value_name = "KSF_MAIL_WORKER", global = true, hide_env_values = true,
        help_heading = MAIL, action = ArgAction::Set, default_value_t = true, value_parser = BoolishValueParser::new())]
    pub mail_worker: bool,
    /// Seconds an email worker holds the emails it took; if its process dies, another sends them after this
    #[arg(long, env = "KSF_MAIL_LEASE_SECONDS", value_name = "KSF_MAIL_LEASE_SECONDS", global = true, hide_env_values = true,
        help_heading = MAIL, default_value_t = 60, value_parser = value_parser!(u64).range(2..=3600))]
    pub mail_lease_seconds: u64,
    /// Told of new tickets and of replies to tickets nobody is assigned to
    #[arg(long, env = "KSF_SUPPORT_EMAIL", value_name = "KSF_SUPPORT_EMAIL", global = true, hide_env_values = true, help_heading = MAIL)]
    pub support_email: Option<Address>,

    /// Requests the account forms take from one IP at once…
    #[arg(long, env = "KSF_AUTH_BURST_PER_IP", value_name = "KSF_AUTH_BURST_PER_IP", global = true, hide_env_values = true,
        help_heading = LIMITS, default_value_t = 10, value_parser = value_parser!(u32).range(1..=1_000_000))]
    pub auth_burst_per_ip: u32,
    /// …and one more every this many seconds
    #[arg(long, env = "KSF_AUTH_REPLENISH_SECS", value_name = "KSF_AUTH_REPLENISH_SECS", global = true, hide_env_values = true,
        help_heading = LIMITS, default_value_t = 3, value_parser = value_parser!(u64).range(1..=86_400))]
    pub auth_replenish_secs: u64,
    /// Sign-ups from one network per hour
    #[arg(long, env = "KSF_SIGNUPS_PER_NETWORK_HOUR", value_name = "KSF_SIGNUPS_PER_NETWORK_HOUR", global = true, hide_env_values = true,
        help_heading = LIMITS, default_value_t = limits().sign_ups_per_network_hour, value_parser = value_parser!(i64).range(1..=1_000_000))]
    pub signups_per_network_hour: i64,
    /// Invitations one user sends per day
    #[arg(long, env = "KSF_INVITATIONS_PER_USER_DAY", value_name = "KSF_INVITATIONS_PER_USER_DAY", global = true, hide_env_values = true,
        help_heading = LIMITS, default_value_t = limits().invitations_per_user_day, value_parser = value_parser!(i64).range(1..=1_000_000))]
    pub invitations_per_user_day: i64,
    /// Email-address change requests per user per hour
    #[arg(long, env = "KSF_EMAIL_CHANGES_PER_USER_HOUR", value_name = "KSF_EMAIL_CHANGES_PER_USER_HOUR", global = true, hide_env_values = true,
        help_heading = LIMITS, default_value_t = limits().email_changes_per_user_hour, value_parser = value_parser!(i64).range(1..=1_000_000))]
    pub email_changes_per_user_hour: i64,
    /// Open hosting accounts a customer may own
    #[arg(long, env = "KSF_MAX_HOSTING_ACCOUNTS_PER_USER", value_name = "KSF_MAX_HOSTING_ACCOUNTS_PER_USER", global = true, hide_env_values = true,
        help_heading = LIMITS, default_value_t = limits().hosting_accounts_per_user, value_parser = value_parser!(i64).range(1..=1_000_000))]
    pub max_hosting_accounts_per_user: i64,
    /// Support tickets one user opens per hour
    #[arg(long, env = "KSF_TICKETS_PER_USER_HOUR", value_name = "KSF_TICKETS_PER_USER_HOUR", global = true, hide_env_values = true,
        help_heading = LIMITS, default_value_t = limits().tickets_per_user_hour, value_parser = value_parser!(i64).range(1..=1_000_000))]
    pub tickets_per_user_hour: i64,
    /// Ticket replies one customer writes per hour
    #[arg(long, env = "KSF_TICKET_REPLIES_PER_USER_HOUR", value_name = "KSF_TICKET_REPLIES_PER_USER_HOUR", global = true, hide_env_values = true,
        help_heading = LIMITS, default_value_t = limits().ticket_replies_per_user_hour, value_parser = value_parser!(i64).range(1..=1_000_000))]
    pub ticket_replies_per_user_hour: i64,
    /// Megabytes of ticket attachments one customer may keep
    #[arg(long, env = "KSF_ATTACHMENT_QUOTA_USER_MB", value_name = "KSF_ATTACHMENT_QUOTA_USER_MB", global = true, hide_env_values = true,
        help_heading = LIMITS, default_value_t = limits().attachment_bytes_per_user / MB, value_parser = value_parser!(i64).range(1..=1_000_000))]
    pub attachment_quota_user_mb: i64,
    /// Megabytes of attachments on the tickets of one hosting account
    #[arg(long, env = "KSF_ATTACHMENT_QUOTA_ACCOUNT_MB", value_name = "KSF_ATTACHMENT_QUOTA_ACCOUNT_MB", global = true, hide_env_values = true,
        help_heading = LIMITS, default_value_t = limits().attachment_bytes_per_account / MB, value_parser = value_parser!(i64).range(1..=1_000_000))]
    pub attachment_quota_account_mb: i64,

    /// A Stripe secret key (sk_… or rk_…); unset, payments are not set up
    #[arg(long, env = "STRIPE_SECRET_KEY", value_name = "STRIPE_SECRET_KEY", global = true, hide_env_values = true, help_heading = BILLING)]
    pub stripe_secret_key: Option<String>,
    /// The webhook endpoint's signing secret (whsec_…); required with a key
    #[arg(long, env = "STRIPE_WEBHOOK_SECRET", value_name = "STRIPE_WEBHOOK_SECRET", global = true, hide_env_values = true, help_heading = BILLING)]
    pub stripe_webhook_secret: Option<String>,
    /// Where the Stripe client sends (Stripe's API; only development may point elsewhere)
    #[arg(long, env = "STRIPE_API_BASE", value_name = "STRIPE_API_BASE", global = true, hide_env_values = true, help_heading = BILLING)]
    pub stripe_api_base: Option<HttpUrl>,
    /// Days an account may stay past due before it is suspended
    #[arg(long, env = "KSF_BILLING_GRACE_DAYS", value_name = "KSF_BILLING_GRACE_DAYS", global = true, hide_env_values = true,
        help_heading = BILLING, default_value_t = services::billing::DEFAULT_GRACE_DAYS, value_parser = value_parser!(i64).range(1..=1_000_000))]
    pub billing_grace_days: i64,
    /// Stripe Tax in Checkout
    #[arg(long, env = "KSF_CHECKOUT_TAX", value_name = "KSF_CHECKOUT_TAX", global = true, hide_env_values = true,
        help_heading = BILLING, action = ArgAction::Set, default_value_t = false, value_parser = BoolishValueParser::new())]
    pub checkout_tax: bool,
    /// Promotion codes in Checkout
    #[arg(long, env = "KSF_CHECKOUT_PROMOTION_CODES", value_name = "KSF_CHECKOUT_PROMOTION_CODES", global = true, hide_env_values = true,
        help_heading = BILLING, action = ArgAction::Set, default_value_t = false, value_parser = BoolishValueParser::new())]
    pub checkout_promotion_codes: bool,
    /// Run the Stripe event worker in this process (another process must if false)
    #[arg(long, env = "KSF_BILLING_WORKER", value_name = "KSF_BILLING_WORKER", global = true, hide_env_values = true,
        help_heading = BILLING, action = ArgAction::Set, default_value_t = true, value_parser = BoolishValueParser::new())]
    pub billing_worker: bool,
    /// Stripe events applied at once by this process's worker; each holds a database connection while it fetches its object from Stripe (below KSF_DB_MAX_CONNECTIONS)
    #[arg(long, env = "KSF_BILLING_WORKERS", value_name = "KSF_BILLING_WORKERS", global = true, hide_env_values = true,
        help_heading = BILLING, default_value_t = 8, value_parser = value_parser!(u32).range(1..=256))]
    pub billing_workers: u32,

    /// The name servers zones delegate to, host[@ip[:port]],… (required in production)
    #[arg(long, env = "KSF_NAMESERVERS", value_name = "KSF_NAMESERVERS", global = true, hide_env_values = true, help_heading = DNS)]
    pub nameservers: Option<Nameservers>,
    /// The domain each zone's own name server names are made under (ns. + the first name server's domain)
    #[arg(long, env = "KSF_NAMESERVER_DOMAIN", value_name = "KSF_NAMESERVER_DOMAIN", global = true, hide_env_values = true, help_heading = DNS)]
    pub nameserver_domain: Option<Domain>,
    /// Resolvers "Check propagation" asks too, e.g. 1.1.1.1,9.9.9.9
    #[arg(long, env = "KSF_PROPAGATION_RESOLVERS", value_name = "KSF_PROPAGATION_RESOLVERS", global = true, hide_env_values = true, help_heading = DNS)]
    pub propagation_resolvers: Option<DnsAddresses>,
    /// Each region's web server, region=IPv4[/IPv6],… (documentation addresses in development)
    #[arg(long, env = "KSF_REGION_SERVERS", value_name = "KSF_REGION_SERVERS", global = true, hide_env_values = true, help_heading = DNS)]
    pub region_servers: Option<RegionServers>,
    /// The port the portal checks sites on, at their nodes' public addresses (80; another in development)
    #[arg(long, env = "KSF_SITES_CHECK_PORT", value_name = "KSF_SITES_CHECK_PORT", global = true, hide_env_values = true,
        help_heading = DNS, default_value_t = 80, value_parser = value_parser!(u16).range(1..))]
    pub sites_check_port: u16,
    /// Where ksf dns answers, UDP and TCP (127.0.0.1:5353 in development, 0.0.0.0:53 otherwise)
    #[arg(long, env = "DNS_LISTEN", value_name = "DNS_LISTEN", global = true, hide_env_values = true, help_heading = DNS)]
    pub dns_listen: Option<SocketAddr>,

    /// Who registers the names sold: namecheap (their API, with NAMECHEAP_API_KEY) or manual (staff, by hand, from a queue)
    #[arg(long, env = "KSF_REGISTRAR", value_name = "KSF_REGISTRAR", global = true, hide_env_values = true,
        help_heading = DOMAINS, default_value = "namecheap", value_parser = ["namecheap", "manual"])]
    pub registrar: String,
    /// Namecheap API user; with NAMECHEAP_API_KEY set, domains are sold (unset: not sold)
    #[arg(long, env = "NAMECHEAP_API_USER", value_name = "NAMECHEAP_API_USER", global = true, hide_env_values = true, help_heading = DOMAINS)]
    pub namecheap_api_user: Option<String>,
    /// Namecheap API key
    #[arg(long, env = "NAMECHEAP_API_KEY", value_name = "NAMECHEAP_API_KEY", global = true, hide_env_values = true, help_heading = DOMAINS)]
    pub namecheap_api_key: Option<String>,
    /// Namecheap user name (default: the API user)
    #[arg(long, env = "NAMECHEAP_USERNAME", value_name = "NAMECHEAP_USERNAME", global = true, hide_env_values = true, help_heading = DOMAINS)]
    pub namecheap_username: Option<String>,
    /// This server's public IPv4 address, as whitelisted at Namecheap
    #[arg(long, env = "NAMECHEAP_CLIENT_IP", value_name = "NAMECHEAP_CLIENT_IP", global = true, hide_env_values = true, help_heading = DOMAINS)]
    pub namecheap_client_ip: Option<std::net::Ipv4Addr>,
    /// Namecheap's API endpoint (their sandbox: https://api.sandbox.namecheap.com/xml.response)
    #[arg(long, env = "NAMECHEAP_API_BASE", value_name = "NAMECHEAP_API_BASE", global = true, hide_env_values = true, help_heading = DOMAINS)]
    pub namecheap_api_base: Option<HttpUrl>,
    /// Staff are warned when the registrar balance is below this (in the registrar's currency)
    #[arg(long, env = "KSF_REGISTRAR_BALANCE_WARNING", value_name = "KSF_REGISTRAR_BALANCE_WARNING", global = true, hide_env_values = true,
        help_heading = DOMAINS, default_value_t = 50, value_parser = value_parser!(i64).range(0..=10_000_000))]
    pub registrar_balance_warning: i64,
    /// Run the domain registration worker in this process (another process must if false)
    #[arg(long, env = "KSF_REGISTRATION_WORKER", value_name = "KSF_REGISTRATION_WORKER", global = true, hide_env_values = true,
        help_heading = DOMAINS, action = ArgAction::Set, default_value_t = true, value_parser = BoolishValueParser::new())]
    pub registration_worker: bool,
}

/// Variables whose values are never repeated in an error.
pub(super) const SECRETS: &[&str] = &[
    "DATABASE_URL",
    "KSF_SECRET_KEY",
    "STRIPE_SECRET_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "RESEND_API_KEY",
    "KSF_METRICS_TOKEN",
    "NAMECHEAP_API_KEY",
];
