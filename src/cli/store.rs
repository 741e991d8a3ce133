//! `sicol store`: make a team store in PostgreSQL and copy records between stores; and the
//! one way every command opens the store it was given (a folder or a `postgresql://` URL).

use std::path::Path;

use clap::Subcommand;

use sicol::records::backend::{self, RecordStore};
use sicol::records::postgres::{PgStore, ROLES};
use sicol::records::{Record, RecordId, StoreLocation};
use sicol::{Problem, Result};

use super::values::parse_store;
use super::{EXIT_FAILED, EXIT_OK};

/// The subcommands of `sicol store`.
#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Create the team store's schema and roles in a PostgreSQL database, or upgrade them
    #[command(
        long_about = "Create the team store's schema and roles in a PostgreSQL database, or \
            upgrade them to this sicol's schema.\n\n\
            Applies, in one transaction, every schema migration the database has not had yet, \
            and creates the group roles sicol_assessor (read and save), sicol_lead (read and \
            report) and sicol_auditor (read only). Run it as the database's owner, with the right \
            to create roles; it is safe to run again.\n\n\
            Credentials come from the URL, PGPASSWORD, PGPASSFILE or ~/.pgpass, as for psql.\n\n\
            Exit codes: 0 ok, 2 bad input or unusable database, 3 server unreachable or login \
            refused, 4 a right is missing.",
        after_help = "Examples:\n  sicol store init postgresql://sicol_owner@db.example/sicol?sslmode=verify-full\n  \
            PGPASSFILE=~/.pgpass sicol store init postgresql://localhost:5432/sicol"
    )]
    Init {
        /// The database, as a postgresql:// URL
        #[arg(value_name = "URL", value_parser = parse_store)]
        url: StoreLocation,
    },

    /// Copy every record and rule set copy of one store into a new, empty one (folder or database)
    #[command(
        long_about = "Copy every record, byte for byte, and the rule set copies they were made \
            with from one store into a new, empty one: a folder into a team store, or back.\n\n\
            The store copied from is verified first, and the copy after, so `sicol verify` and \
            `sicol replay` give the same results on both.",
        after_help = "Examples:\n  sicol store copy formulations postgresql://amhp17@db.example/sicol\n  \
            sicol store copy postgresql://auditor@db.example/sicol audit-2026-12/"
    )]
    Copy {
        /// The store to copy from: a folder or a postgresql:// URL
        #[arg(value_name = "FROM", value_parser = parse_store)]
        from: StoreLocation,
        /// The new store: a new or empty folder, or a database made with `sicol store init`
        #[arg(value_name = "TO", value_parser = parse_store)]
        to: StoreLocation,
    },
}

/// Runs `sicol store …`.
pub fn run(command: &StoreCommand) -> Result<u8> {
    match command {
        StoreCommand::Init { url } => init(url),
        StoreCommand::Copy { from, to } => copy(from, to),
    }
}

fn init(url: &StoreLocation) -> Result<u8> {
    let StoreLocation::Postgres(text) = url else {
        return Err(Problem::new(
            url.to_string(),
            Default::default(),
            "",
            "a folder store needs no init: it is made on the first save",
        )
        .with_hint("give a postgresql:// URL, such as postgresql://localhost/sicol")
        .into());
    };
    let applied = PgStore::init(text)?;
    if applied.is_empty() {
        println!("{url}: the team store is up to date");
    } else {
        for (version, name) in &applied {
            println!("{url}: applied schema migration {version} ({name})");
        }
    }
    println!(
        "roles: {} (read and save), {} (read and report), {} (read only); grant one to each login, such as: GRANT sicol_assessor TO amhp17;",
        ROLES[0], ROLES[1], ROLES[2]
    );
    Ok(EXIT_OK)
}

fn copy(from: &StoreLocation, to: &StoreLocation) -> Result<u8> {
    if from == to {
        return Err(Problem::new(
            to.to_string(),
            Default::default(),
            "",
            "a store cannot be copied into itself",
        )
        .into());
    }
    let mut source = open(from)?;
    let mut target = backend::create(to)?;
    let copied = backend::copy(source.as_mut(), target.as_mut())?;
    let verification = target.verify()?;
    if let Some(problem) = verification.broken {
        println!("{problem}");
        println!("{to}: the copy does not verify");
        return Ok(EXIT_FAILED);
    }
    println!(
        "copied {} record{} and {} rule set cop{} from {from} to {to}; {to} verifies",
        copied.records,
        if copied.records == 1 { "" } else { "s" },
        copied.rulesets,
        if copied.rulesets == 1 { "y" } else { "ies" },
    );
    Ok(EXIT_OK)
}

/// Opens an existing store, with its permission warnings on stderr.
pub fn open(location: &StoreLocation) -> Result<Box<dyn RecordStore>> {
    let mut store = backend::open(location)?;
    for warning in store.permission_warnings() {
        eprintln!("warning: {warning}");
    }
    Ok(store)
}

/// The assessment record a later record (a follow-up, a referral status) is about, read from
/// the store it is in.
pub struct Followed {
    /// The store, open to append to.
    pub store: Box<dyn RecordStore>,
    /// The record's id.
    pub id: RecordId,
    /// Where the record is, to name it in problems.
    pub origin: String,
    /// The record.
    pub record: Record,
}

/// Opens the store RECORD is in (with its permission warnings on stderr) and reads the record.
pub fn open_followed(record: &str, store: &StoreLocation) -> Result<Followed> {
    let (location, id) = locate(record, store)?;
    let mut store = open(&location)?;
    let origin = store.locate(id);
    let record = store.read(id)?;
    Ok(Followed {
        store,
        id,
        origin,
        record,
    })
}

/// The store and record id that RECORD names: a record file (in a folder store), or an id in
/// `store`.
pub fn locate(record: &str, store: &StoreLocation) -> Result<(StoreLocation, RecordId)> {
    let path = Path::new(record);
    if path.is_file() {
        let id = path
            .file_name()
            .and_then(|name| name.to_str())
            .and_then(RecordId::from_file_name);
        let dir = path
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        return match id {
            Some(id) => Ok((StoreLocation::Folder(dir.to_path_buf()), id)),
            None => Err(Problem::new(
                record,
                Default::default(),
                "",
                "not a record file: record files are named like 00000003.json",
            )
            .with_hint("name a record in a store, such as formulations/00000003.json")
            .into()),
        };
    }
    let Some(id) = RecordId::parse(record) else {
        return Err(Problem::new(
            record,
            Default::default(),
            "",
            "no such record file, and not a record id",
        )
        .with_hint("give a record file (formulations/00000003.json) or id (00000003)")
        .into());
    };
    let known = match store {
        StoreLocation::Folder(dir) => dir.join(id.file_name()).is_file(),
        StoreLocation::Postgres(_) => backend::open(store)?.contains(id)?,
    };
    if known {
        return Ok((store.clone(), id));
    }
    Err(Problem::new(
        store.to_string(),
        Default::default(),
        "",
        format!("there is no record {id} in this store"),
    )
    .with_hint("give a record id that `sicol verify` counts, or the store with --store DIR|URL")
    .into())
}
