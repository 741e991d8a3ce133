//! The team store: records in PostgreSQL, for a service whose AMHPs save from many machines at
//! once, a service lead who reports and an auditor who replays.
//!
//! The schema lives in `migrations/*.sql` (built into sicol), applied in order by
//! `sicol store init` and recorded in `sicol.schema_migrations`. It keeps records as the same
//! canonical JSON bytes as the folder store, with the chain enforced by the database itself:
//! - `sicol.records` is append-only: a trigger refuses UPDATE, DELETE and TRUNCATE, and no role
//!   is granted either;
//! - an insert takes a transaction-scoped advisory lock, then must take the next id and name the
//!   tip's sha256 as `previous` (checked by a trigger, also against the JSON), so concurrent
//!   saves are serialised and the chain never forks, even for a hand-written INSERT;
//! - `saved_by` is set by the trigger to `session_user`, the database login, whatever the
//!   client sends;
//! - rule set copies are content-addressed by sha256 in `sicol.rulesets` and
//!   `sicol.ruleset_files`, and checked against it when loaded.
//!
//! Roles: `sicol_assessor` (read and insert), `sicol_lead` (read, for reports) and
//! `sicol_auditor` (read only). Logins are members of one of them.
//!
//! Connecting follows libpq: the URL first, then `PGHOST`, `PGPORT`, `PGUSER`, `PGDATABASE`,
//! `PGPASSWORD`, `PGPASSFILE` (or `~/.pgpass`), `PGSSLMODE`, `PGSSLROOTCERT`,
//! `PGCONNECT_TIMEOUT`. TLS is rustls; when TLS is used the server's certificate is always
//! verified (against `sslrootcert` or the Mozilla roots), since the records are health data.
//!
//! Messages name the store and what failed, never a record's contents or a password.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use postgres::config::SslMode;
use postgres::error::SqlState;
use postgres::{Client, Config, NoTls};

use crate::error::{Error, Result, StoreFailure};
use crate::rules::{RuleFiles, RuleSet};

use super::backend::{RawRecord, RecordStore, Seal, StoreLocation};
use super::{Record, RecordId};

/// The schema migrations, in order: (version, name, SQL). Applied by `sicol store init`.
pub const MIGRATIONS: &[(i32, &str, &str)] = &[
    (
        1,
        "team store",
        include_str!("../../migrations/0001_team_store.sql"),
    ),
    (
        2,
        "records compressed with lz4",
        include_str!("../../migrations/0002_lz4_records.sql"),
    ),
];

/// Takes the chain's lock in `transaction` and reads the tip of the whole chain (even where
/// row-level security hides records): the id the next record takes and the sha256 it must name
/// as `previous`. Every writer waits here for the one before to commit or roll back, so each
/// sees the true tip; a writer that dies mid-transaction releases the lock as its session ends.
fn next_place(
    transaction: &mut postgres::Transaction<'_>,
) -> std::result::Result<(RecordId, Option<String>), postgres::Error> {
    transaction.execute("SELECT pg_advisory_xact_lock($1)", &[&CHAIN_LOCK])?;
    let tip = transaction.query_one("SELECT id, sha256 FROM sicol.chain_tip()", &[])?;
    Ok(
        match (
            tip.get::<_, Option<i64>>(0),
            tip.get::<_, Option<String>>(1),
        ) {
            (Some(id), Some(sha256)) => (
                from_key(id).map_or(RecordId(1), RecordId::next),
                Some(sha256),
            ),
            _ => (RecordId(1), None),
        },
    )
}

/// The advisory lock that serialises appends to the chain ("SICOL" in ASCII); the insert
/// trigger takes it too, so every writer waits its turn.
pub const CHAIN_LOCK: i64 = 357_711_433_548;

/// The advisory lock that serialises `sicol store init` runs ("SICOLMIG" in ASCII).
const MIGRATION_LOCK: i64 = 6_001_401_986_309_507_399;

/// The group roles `sicol store init` creates.
pub const ROLES: [&str; 3] = ["sicol_assessor", "sicol_lead", "sicol_auditor"];

/// A team store in PostgreSQL, one connection per handle.
pub struct PgStore {
    client: Client,
    location: StoreLocation,
    shown: String,
    rulesets: HashMap<String, Arc<RuleSet>>,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PgStore({})", self.shown)
    }
}

impl PgStore {
    /// Connects to the team store at `url` and checks that its schema is the one this sicol
    /// writes (made, or upgraded, by `sicol store init`).
    pub fn connect(url: &str) -> Result<PgStore> {
        let mut store = PgStore::connect_only(url)?;
        let latest = MIGRATIONS.last().map_or(0, |(version, ..)| *version);
        let version: Option<i32> = store
            .client
            .query_one("SELECT max(version) FROM sicol.schema_migrations", &[])
            .map_err(|error| store.failure(error, "read the store's schema version"))?
            .get(0);
        let version = version.unwrap_or(0);
        if version < latest {
            return Err(Error::store(
                &store.shown,
                StoreFailure::Unusable,
                format!(
                    "the store's schema is at version {version}, and this sicol needs {latest}"
                ),
                format!(
                    "upgrade it: sicol store init {} (as the database's owner)",
                    store.shown
                ),
            ));
        }
        if version > latest {
            return Err(Error::store(
                &store.shown,
                StoreFailure::Unusable,
                format!("the store's schema is at version {version}, newer than this sicol knows ({latest})"),
                "upgrade sicol on this machine",
            ));
        }
        Ok(store)
    }

    /// Connects without checking the schema (for `sicol store init`).
    fn connect_only(url: &str) -> Result<PgStore> {
        let shown = redacted(url);
        let settings = Settings::from_url(url, &shown)?;
        let client = settings.connect(&shown)?;
        Ok(PgStore {
            client,
            location: StoreLocation::Postgres(url.to_owned()),
            shown,
            rulesets: HashMap::new(),
        })
    }

    /// Creates the schema and roles, or upgrades them: applies every migration not yet applied,
    /// in one transaction, and returns the versions applied (none when it was up to date).
    /// Needs a login that may create schemas and roles (the database's owner with CREATEROLE).
    pub fn init(url: &str) -> Result<Vec<(i32, &'static str)>> {
        let mut store = PgStore::connect_only(url)?;
        let shown = store.shown.clone();
        let fail = |error: postgres::Error| failure(&shown, error, "set up the store");
        let mut transaction = store.client.transaction().map_err(fail)?;
        transaction
            .execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .map_err(fail)?;
        transaction
            .batch_execute(
                "CREATE SCHEMA IF NOT EXISTS sicol;
                 CREATE TABLE IF NOT EXISTS sicol.schema_migrations (
                     version integer PRIMARY KEY,
                     name text NOT NULL,
                     applied_by name NOT NULL DEFAULT session_user,
                     applied_at timestamptz NOT NULL DEFAULT now()
                 );",
            )
            .map_err(fail)?;
        let applied: Vec<i32> = transaction
            .query("SELECT version FROM sicol.schema_migrations", &[])
            .map_err(fail)?
            .iter()
            .map(|row| row.get(0))
            .collect();
        let mut done = Vec::new();
        for (version, name, sql) in MIGRATIONS {
            if applied.contains(version) {
                continue;
            }
            transaction.batch_execute(sql).map_err(fail)?;
            transaction
                .execute(
                    "INSERT INTO sicol.schema_migrations (version, name) VALUES ($1, $2)",
                    &[version, name],
                )
                .map_err(fail)?;
            done.push((*version, *name));
        }
        transaction.commit().map_err(fail)?;
        Ok(done)
    }

    /// The login that saved record `id` (the database's `session_user` at the time).
    pub fn saved_by(&mut self, id: RecordId) -> Result<Option<String>> {
        let key = as_key(id);
        let row = self
            .client
            .query_opt(
                "SELECT saved_by::text FROM sicol.records WHERE id = $1",
                &[&key],
            )
            .map_err(|error| self.failure(error, "read who saved a record"))?;
        Ok(row.map(|row| row.get(0)))
    }

    /// The login this handle is connected as.
    pub fn login(&mut self) -> Result<String> {
        let row = self
            .client
            .query_one("SELECT session_user::text", &[])
            .map_err(|error| self.failure(error, "read the login"))?;
        Ok(row.get(0))
    }

    fn failure(&self, error: postgres::Error, doing: &str) -> Error {
        failure(&self.shown, error, doing)
    }
}

impl RecordStore for PgStore {
    fn location(&self) -> &StoreLocation {
        &self.location
    }

    fn locate(&self, id: RecordId) -> String {
        format!("{}#{id}", self.shown)
    }

    fn ids(&mut self) -> Result<Vec<RecordId>> {
        let rows = self
            .client
            .query("SELECT id FROM sicol.records ORDER BY id", &[])
            .map_err(|error| self.failure(error, "list the records"))?;
        Ok(rows.iter().filter_map(|row| from_key(row.get(0))).collect())
    }

    fn read_raw(&mut self, id: RecordId) -> Result<Option<Vec<u8>>> {
        let key = as_key(id);
        let row = self
            .client
            .query_opt("SELECT body FROM sicol.records WHERE id = $1", &[&key])
            .map_err(|error| self.failure(error, "read a record"))?;
        Ok(row.map(|row| row.get::<_, String>(0).into_bytes()))
    }

    fn read_page(&mut self, after: Option<RecordId>, limit: usize) -> Result<Vec<RawRecord>> {
        let after = after.map_or(0, as_key);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self
            .client
            .query(
                "SELECT id, body FROM sicol.records WHERE id > $1 ORDER BY id LIMIT $2",
                &[&after, &limit],
            )
            .map_err(|error| self.failure(error, "read the records"))?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                Some(RawRecord {
                    id: from_key(row.get(0))?,
                    bytes: row.get::<_, String>(1).into_bytes(),
                })
            })
            .collect())
    }

    fn append_sealed(&mut self, seal: &Seal<'_>) -> Result<Record> {
        let shown = self.shown.clone();
        let fail = |error: postgres::Error| failure(&shown, error, "save the record");
        let mut transaction = self.client.transaction().map_err(fail)?;
        let (id, previous) = next_place(&mut transaction).map_err(fail)?;
        // A refused place leaves nothing behind: the transaction rolls back when dropped.
        let record = seal(id, previous)?;
        let body = String::from_utf8(record.to_bytes()).unwrap_or_default();
        transaction
            .execute(
                "INSERT INTO sicol.records (id, sha256, previous, body) VALUES ($1, $2, $3, $4)",
                &[&as_key(id), &record.sha256, &record.previous, &body],
            )
            .map_err(fail)?;
        transaction.commit().map_err(fail)?;
        Ok(record)
    }

    /// A page of copies in one transaction (the chain trigger still checks each), so a copy
    /// of 100,000 records takes a hundred commits, not 100,000.
    fn append_copies(&mut self, records: &[Record]) -> Result<()> {
        let Some(first) = records.first() else {
            return Ok(());
        };
        let shown = self.shown.clone();
        let fail = |error: postgres::Error| failure(&shown, error, "copy the records");
        let mut transaction = self.client.transaction().map_err(fail)?;
        let (at, previous) = next_place(&mut transaction).map_err(fail)?;
        if at != first.id || previous != first.previous {
            return Err(super::backend::misplaced(&shown, first.id, at));
        }
        let insert = transaction
            .prepare(
                "INSERT INTO sicol.records (id, sha256, previous, body) VALUES ($1, $2, $3, $4)",
            )
            .map_err(fail)?;
        for record in records {
            let body = String::from_utf8(record.to_bytes()).unwrap_or_default();
            transaction
                .execute(
                    &insert,
                    &[&as_key(record.id), &record.sha256, &record.previous, &body],
                )
                .map_err(fail)?;
        }
        transaction.commit().map_err(fail)
    }

    fn put_ruleset_files(&mut self, rules: &RuleSet) -> Result<()> {
        let shown = self.shown.clone();
        let fail = |error: postgres::Error| failure(&shown, error, "keep the rule set's copy");
        let mut transaction = self.client.transaction().map_err(fail)?;
        // A concurrent insert of the same rule set waits for this one, then does nothing: the
        // copy is all there or not at all.
        let inserted = transaction
            .execute(
                "INSERT INTO sicol.rulesets (sha256) VALUES ($1) ON CONFLICT DO NOTHING",
                &[&rules.id.sha256],
            )
            .map_err(fail)?;
        if inserted == 1 {
            for (name, text) in &rules.files.files {
                transaction
                    .execute(
                        "INSERT INTO sicol.ruleset_files (sha256, name, body) VALUES ($1, $2, $3)",
                        &[&rules.id.sha256, name, text],
                    )
                    .map_err(fail)?;
            }
        }
        transaction.commit().map_err(fail)
    }

    fn ruleset_files(&mut self, sha256: &str) -> Result<Option<RuleFiles>> {
        let rows = self
            .client
            .query(
                "SELECT name, body FROM sicol.ruleset_files WHERE sha256 = $1",
                &[&sha256],
            )
            .map_err(|error| self.failure(error, "read a rule set's copy"))?;
        if rows.is_empty() {
            return Ok(None);
        }
        Ok(Some(RuleFiles {
            origin: self.ruleset_origin(sha256),
            files: rows
                .iter()
                .map(|row| (row.get::<_, String>(0), row.get::<_, String>(1)))
                .collect(),
        }))
    }

    fn ruleset_origin(&self, sha256: &str) -> String {
        format!("{}#rulesets/{sha256}", self.shown)
    }

    fn loaded_rulesets(&mut self) -> &mut HashMap<String, Arc<RuleSet>> {
        &mut self.rulesets
    }

    fn contains(&mut self, id: RecordId) -> Result<bool> {
        let key = as_key(id);
        let row = self
            .client
            .query_opt("SELECT 1 FROM sicol.records WHERE id = $1", &[&key])
            .map_err(|error| self.failure(error, "read a record"))?;
        Ok(row.is_some())
    }
}

/// A record id as the database's bigint key (ids past i64 cannot occur: they count from 1).
fn as_key(id: RecordId) -> i64 {
    i64::try_from(id.0).unwrap_or(i64::MAX)
}

fn from_key(key: i64) -> Option<RecordId> {
    u64::try_from(key).ok().filter(|n| *n > 0).map(RecordId)
}

/// What went wrong talking to the store, as a typed error with a hint: unreachable or a refused
/// login (exit 3), a missing right (exit 4), or a store not in the shape sicol needs (exit 2).
/// Only the server's message and code are kept, never a statement's parameters.
fn failure(shown: &str, error: postgres::Error, doing: &str) -> Error {
    let Some(db) = error.as_db_error() else {
        let closed = error.is_closed();
        return Error::store(
            shown,
            StoreFailure::Unreachable,
            format!(
                "could not {doing}: {}",
                if closed {
                    "the connection to the server was closed".to_owned()
                } else {
                    error.to_string()
                }
            ),
            "check that the server is running and the URL's host and port; nothing was written",
        );
    };
    let code = db.code();
    let message = format!("could not {doing}: {} ({})", db.message(), code.code());
    if *code == SqlState::INSUFFICIENT_PRIVILEGE {
        return Error::store(
            shown,
            StoreFailure::Denied,
            message,
            "this login lacks the right; saving needs sicol_assessor, reading sicol_lead or sicol_auditor (ask the store's owner); nothing was written",
        );
    }
    if *code == SqlState::INVALID_PASSWORD
        || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
        || *code == SqlState::INVALID_CATALOG_NAME
        || code.code().starts_with("08")
        || code.code().starts_with("57P")
    {
        return Error::store(
            shown,
            StoreFailure::Unreachable,
            message,
            "check the login, password (PGPASSWORD or ~/.pgpass) and database name; nothing was written",
        );
    }
    if *code == SqlState::UNDEFINED_TABLE || *code == SqlState::INVALID_SCHEMA_NAME {
        return Error::store(
            shown,
            StoreFailure::Unusable,
            message,
            format!("this database holds no sicol store yet: run `sicol store init {shown}` as its owner"),
        );
    }
    Error::store(
        shown,
        StoreFailure::Unusable,
        message,
        "nothing was written; run `sicol verify` on the store, and tell the store's owner if this persists",
    )
}

/// The URL without its password (in the user part or a `password=` parameter), for messages.
pub fn redacted(url: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let mut shown = match base.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest
                .split_once('/')
                .map_or((rest, None), |(a, p)| (a, Some(p)));
            let authority = match authority.rsplit_once('@') {
                Some((userinfo, host)) => match userinfo.split_once(':') {
                    Some((user, _)) => format!("{user}:***@{host}"),
                    None => format!("{userinfo}@{host}"),
                },
                None => authority.to_owned(),
            };
            match path {
                Some(path) => format!("{scheme}://{authority}/{path}"),
                None => format!("{scheme}://{authority}"),
            }
        }
        None => base.to_owned(),
    };
    if let Some(query) = query {
        let parts: Vec<String> = query
            .split('&')
            .map(|part| match part.split_once('=') {
                Some(("password", _)) => "password=***".to_owned(),
                _ => part.to_owned(),
            })
            .collect();
        shown.push('?');
        shown.push_str(&parts.join("&"));
    }
    shown
}

/// How to reach the server: the URL with libpq's environment and password file filled in.
struct Settings {
    config: Config,
    tls: Tls,
}

/// Whether and how to use TLS (libpq's sslmode; with rustls the certificate is always verified).
enum Tls {
    Off,
    On {
        mode: SslMode,
        root_cert: Option<PathBuf>,
    },
}

impl Settings {
    fn from_url(url: &str, shown: &str) -> Result<Settings> {
        let bad = |message: String| {
            Error::store(
                shown,
                StoreFailure::Unusable,
                message,
                "write it as postgresql://USER@HOST:PORT/DATABASE (see `sicol store --help`)",
            )
        };
        // sslmode and sslrootcert are read here, since the client library knows only three
        // modes and no root certificates.
        let (base, query) = url.split_once('?').map_or((url, ""), |(b, q)| (b, q));
        let mut kept = Vec::new();
        let mut ssl_mode = std::env::var("PGSSLMODE").ok();
        let mut root_cert = std::env::var_os("PGSSLROOTCERT").map(PathBuf::from);
        for part in query.split('&').filter(|part| !part.is_empty()) {
            match part.split_once('=') {
                Some(("sslmode", value)) => ssl_mode = Some(percent_decoded(value)),
                Some(("sslrootcert", value)) => {
                    root_cert = Some(PathBuf::from(percent_decoded(value)));
                }
                _ => kept.push(part),
            }
        }
        let url = if kept.is_empty() {
            base.to_owned()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        let mut config: Config = url
            .parse()
            .map_err(|error: postgres::Error| bad(format!("not a PostgreSQL URL: {error}")))?;
        let env = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
        if config.get_hosts().is_empty() {
            let host = env("PGHOST").unwrap_or_else(|| "localhost".to_owned());
            for host in host.split(',') {
                config.host(host);
            }
        }
        if config.get_ports().is_empty() {
            let port = env("PGPORT").unwrap_or_else(|| "5432".to_owned());
            let port = port
                .parse::<u16>()
                .map_err(|_| bad(format!("PGPORT `{port}` is not a port number")))?;
            config.port(port);
        }
        if config.get_user().is_none() {
            let user = env("PGUSER")
                .or_else(|| env("USER"))
                .or_else(|| env("LOGNAME"))
                .ok_or_else(|| bad("no user named in the URL, PGUSER or USER".to_owned()))?;
            config.user(&user);
        }
        if config.get_dbname().is_none() {
            let dbname = env("PGDATABASE")
                .or_else(|| config.get_user().map(str::to_owned))
                .unwrap_or_default();
            config.dbname(&dbname);
        }
        if config.get_password().is_none() {
            if let Some(password) = env("PGPASSWORD").or_else(|| password_from_file(&config)) {
                config.password(password);
            }
        }
        if config.get_connect_timeout().is_none() {
            let seconds = env("PGCONNECT_TIMEOUT")
                .and_then(|text| text.parse::<u64>().ok())
                .unwrap_or(10);
            config.connect_timeout(Duration::from_secs(seconds.max(2)));
        }
        if config.get_application_name().is_none() {
            config.application_name("sicol");
        }
        let tls = match ssl_mode.as_deref().unwrap_or("prefer") {
            "disable" => Tls::Off,
            "allow" | "prefer" => Tls::On {
                mode: SslMode::Prefer,
                root_cert,
            },
            "require" | "verify-ca" | "verify-full" => Tls::On {
                mode: SslMode::Require,
                root_cert,
            },
            other => {
                return Err(bad(format!(
                    "sslmode `{other}` is not one of disable, allow, prefer, require, verify-ca, verify-full"
                )))
            }
        };
        Ok(Settings { config, tls })
    }

    fn connect(mut self, shown: &str) -> Result<Client> {
        let fail = |error: postgres::Error| failure(shown, error, "connect");
        match self.tls {
            Tls::Off => {
                self.config.ssl_mode(SslMode::Disable);
                self.config.connect(NoTls).map_err(fail)
            }
            Tls::On { mode, root_cert } => {
                let hosts_are_sockets = self
                    .config
                    .get_hosts()
                    .iter()
                    .all(|host| !matches!(host, postgres::config::Host::Tcp(_)));
                if hosts_are_sockets {
                    // A Unix socket never negotiates TLS; libpq does the same.
                    self.config.ssl_mode(SslMode::Disable);
                    return self.config.connect(NoTls).map_err(fail);
                }
                self.config.ssl_mode(mode);
                let tls = rustls_connector(root_cert.as_deref(), shown)?;
                self.config.connect(tls).map_err(fail)
            }
        }
    }
}

/// A rustls connector that trusts `root_cert` (a PEM file) when given, else the Mozilla roots.
fn rustls_connector(
    root_cert: Option<&Path>,
    shown: &str,
) -> Result<tokio_postgres_rustls::MakeRustlsConnect> {
    use rustls_pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    match root_cert {
        Some(path) => {
            let certificates =
                rustls_pki_types::CertificateDer::pem_file_iter(path).map_err(|error| {
                    Error::store(
                        shown,
                        StoreFailure::Unusable,
                        format!("cannot read sslrootcert {}: {error}", path.display()),
                        "name a PEM file holding the server's CA certificate",
                    )
                })?;
            for certificate in certificates.flatten() {
                let _ = roots.add(certificate);
            }
        }
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| {
            Error::store(
                shown,
                StoreFailure::Unusable,
                format!("TLS cannot be set up: {error}"),
                "report this to the sicol maintainers",
            )
        })?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

/// The password for `config` from the password file (PGPASSFILE, else ~/.pgpass), as libpq
/// reads it: `host:port:database:user:password` lines, `*` matching anything, `\` escaping.
/// A file others can read is ignored, as libpq does.
fn password_from_file(config: &Config) -> Option<String> {
    let path = std::env::var_os("PGPASSFILE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".pgpass")))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).ok()?.permissions().mode();
        if mode & 0o077 != 0 {
            eprintln!(
                "warning: password file {} has group or world access; it is ignored (chmod 600 it)",
                path.display()
            );
            return None;
        }
    }
    let text = std::fs::read_to_string(&path).ok()?;
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(host)) => host.clone(),
        #[cfg(unix)]
        Some(postgres::config::Host::Unix(_)) => "localhost".to_owned(),
        None => "localhost".to_owned(),
    };
    let port = config
        .get_ports()
        .first()
        .copied()
        .unwrap_or(5432)
        .to_string();
    let dbname = config.get_dbname().unwrap_or_default();
    let user = config.get_user().unwrap_or_default();
    password_in(&text, [&host, &port, dbname, user])
}

/// The password of the first line of a password file that matches the four wanted fields.
fn password_in(text: &str, wanted: [&str; 4]) -> Option<String> {
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let fields = split_pgpass_line(line);
        if fields.len() < 5 {
            continue;
        }
        let matches = fields
            .iter()
            .zip(wanted)
            .all(|(field, wanted)| field == "*" || field == wanted);
        if matches {
            return Some(fields[4..].join(":"));
        }
    }
    None
}

fn split_pgpass_line(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let (Some(next), Some(field)) = (chars.next(), fields.last_mut()) {
                    field.push(next);
                }
            }
            ':' if fields.len() < 5 => fields.push(String::new()),
            _ => {
                if let Some(field) = fields.last_mut() {
                    field.push(c);
                }
            }
        }
    }
    fields
}

/// A URL parameter's value with `%XX` escapes decoded.
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let hex = bytes
            .get(index + 1..index + 3)
            .and_then(|pair| std::str::from_utf8(pair).ok())
            .and_then(|pair| u8::from_str_radix(pair, 16).ok());
        match (bytes[index], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                index += 3;
            }
            (byte, _) => {
                out.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_never_shows_in_a_shown_url() {
        assert_eq!(
            redacted("postgresql://amhp17:s3cret@db.example:5432/sicol?sslmode=require"),
            "postgresql://amhp17:***@db.example:5432/sicol?sslmode=require"
        );
        assert_eq!(
            redacted("postgres://db/sicol?user=a&password=x"),
            "postgres://db/sicol?user=a&password=***"
        );
        assert_eq!(
            redacted("postgresql://amhp17@db/sicol"),
            "postgresql://amhp17@db/sicol"
        );
    }

    #[test]
    fn the_password_file_is_read_as_libpq_reads_it() {
        let text = "# comment\n\
            other:5432:*:amhp17:wrong\n\
            db.example:*:sicol:amhp17:pa\\:ss:word\n\
            *:*:*:*:fallback\n";
        assert_eq!(
            password_in(text, ["db.example", "5432", "sicol", "amhp17"]).as_deref(),
            Some("pa:ss:word")
        );
        assert_eq!(
            password_in(text, ["elsewhere", "5433", "x", "y"]).as_deref(),
            Some("fallback")
        );
        assert_eq!(password_in("a:b:c:d:e\n", ["x", "b", "c", "d"]), None);
    }

    #[test]
    fn url_parameters_are_decoded() {
        assert_eq!(percent_decoded("%2Fetc%2Fca.pem"), "/etc/ca.pem");
        assert_eq!(percent_decoded("50%"), "50%");
    }
}
