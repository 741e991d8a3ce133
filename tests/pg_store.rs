//! The team store against a real PostgreSQL server: schema and roles from `sicol store init`,
//! concurrent writers, a writer killed mid-transaction, the auditor refused a save, an assessor
//! refused an update and a delete, `saved_by` from the login, and `sicol store copy` both ways.
//!
//! The server comes from `SICOL_TEST_PG_URL` (a superuser's URL), which `.ci/run` sets after
//! starting a throwaway cluster (`source .ci/postgres.sh` does the same on a developer's
//! machine). Without it these tests say how to start one and pass over the server checks; with
//! `CI=true` a missing server fails them.

mod util;

use std::fs;
use std::process::{Command, Output, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use postgres::{Client, NoTls};
use sicol::records::postgres::CHAIN_LOCK;

/// One password for the test logins (the cluster is throwaway and listens on 127.0.0.1 only).
const PASSWORD: &str = "test-only-password";

/// The admin URL, or `None` (after saying how to get one) on a machine without a server.
fn server() -> Option<String> {
    match std::env::var("SICOL_TEST_PG_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|ci| ci == "true") => {
            panic!("CI=true but SICOL_TEST_PG_URL is not set: .ci/run starts a server with .ci/postgres.sh")
        }
        _ => {
            eprintln!(
                "note: no PostgreSQL for the team store tests; start a throwaway one with\n  \
                 source .ci/postgres.sh && cargo test --test pg_store\n\
                 (it installs PostgreSQL from the distribution's packages if needed)"
            );
            None
        }
    }
}

/// The parts of the admin URL: `postgresql://USER:PASSWORD@HOST:PORT/DB?…`.
fn host_port(admin: &str) -> String {
    let rest = admin.split_once('@').map_or(admin, |(_, rest)| rest);
    rest.split('/').next().unwrap_or(rest).to_owned()
}

/// The URL of `database` as `user` (with the test password unless `password` is false).
fn url_as(admin: &str, user: &str, database: &str, password: bool) -> String {
    let secret = if password {
        format!(":{PASSWORD}")
    } else {
        String::new()
    };
    format!(
        "postgresql://{user}{secret}@{}/{database}?sslmode=disable",
        host_port(admin)
    )
}

fn admin_client(admin: &str) -> Client {
    Client::connect(admin, NoTls).expect("the admin connects")
}

/// Serialises `sicol store init` across tests: roles are shared by the whole cluster.
fn init_lock() -> &'static Mutex<()> {
    static LOCK: OnceLock<Mutex<()>> = OnceLock::new();
    LOCK.get_or_init(|| Mutex::new(()))
}

/// A fresh database with the team store in it, and the logins `amhp_one`, `amhp_two`
/// (assessors) and `auditor_one` (auditor). Returns the admin URL of that database.
fn fresh_store(admin: &str, name: &str) -> String {
    let database = format!("sicol_test_{name}");
    let mut client = admin_client(admin);
    // One statement each: neither may run inside the implicit transaction of a batch.
    client
        .batch_execute(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
        .expect("old test database dropped");
    client
        .batch_execute(&format!("CREATE DATABASE {database}"))
        .expect("test database made");
    let url = admin.replacen("/postgres?", &format!("/{database}?"), 1);
    let _guard = init_lock()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let output = sicol(&["store", "init", &url], &[]);
    assert!(output.status.success(), "init: {}", text(&output));
    for (login, role) in [
        ("amhp_one", "sicol_assessor"),
        ("amhp_two", "sicol_assessor"),
        ("auditor_one", "sicol_auditor"),
    ] {
        client
            .batch_execute(&format!(
                "DO $$ BEGIN
                   IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{login}') THEN
                     CREATE ROLE {login} LOGIN PASSWORD '{PASSWORD}';
                   END IF;
                 END $$;
                 GRANT {role} TO {login};"
            ))
            .expect("login made");
    }
    url
}

fn sicol(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sicol"));
    command.args(args).current_dir(util::root());
    command.env_remove("SICOL_STORE");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("sicol runs")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn case(name: &str) -> String {
    util::root()
        .join("tests/cases")
        .join(format!("{name}.yaml"))
        .display()
        .to_string()
}

fn count(client: &mut Client) -> i64 {
    client
        .query_one("SELECT count(*) FROM sicol.records", &[])
        .expect("count")
        .get(0)
}

/// Saves `cases` (by name) through `sicol evaluate --save` into `store`.
fn save(store: &str, cases: &[&str]) -> Output {
    let mut args = vec!["evaluate", "--save", "--store", store, "--format", "json"];
    let paths: Vec<String> = cases.iter().map(|name| case(name)).collect();
    args.extend(paths.iter().map(String::as_str));
    sicol(&args, &[])
}

#[test]
fn init_makes_the_schema_and_roles_and_can_run_again() {
    let Some(admin) = server() else { return };
    let url = fresh_store(&admin, "init");
    let again = sicol(&["store", "init", &url], &[]);
    assert!(again.status.success(), "{}", text(&again));
    assert!(text(&again).contains("up to date"), "{}", text(&again));
    let mut client = Client::connect(&url, NoTls).expect("connects");
    let roles: Vec<String> = client
        .query(
            "SELECT rolname::text FROM pg_roles
             WHERE rolname LIKE 'sicol\\_%' AND NOT rolcanlogin ORDER BY 1",
            &[],
        )
        .expect("roles")
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(roles, ["sicol_assessor", "sicol_auditor", "sicol_lead"]);
    // No role is granted UPDATE, DELETE or TRUNCATE on anything in the schema.
    let grants: i64 = client
        .query_one(
            "SELECT count(*) FROM information_schema.role_table_grants
             WHERE table_schema = 'sicol' AND privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE')
               AND grantee IN ('sicol_assessor', 'sicol_lead', 'sicol_auditor')",
            &[],
        )
        .expect("grants")
        .get(0);
    assert_eq!(grants, 0);
    // Migration 2: record bodies are compressed with lz4 where the server has it (the
    // distribution's PostgreSQL does), which store-wide reads decompress several times faster.
    let lz4_available: bool = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression'
                            AND 'lz4' = ANY(enumvals))",
            &[],
        )
        .expect("settings")
        .get(0);
    let compression: String = client
        .query_one(
            "SELECT attcompression::text FROM pg_attribute
             WHERE attrelid = 'sicol.records'::regclass AND attname = 'body'",
            &[],
        )
        .expect("column")
        .get(0);
    assert_eq!(compression, if lz4_available { "l" } else { "" });
}

#[test]
fn eight_writers_saving_at_once_keep_one_intact_chain_and_saved_by_is_the_login() {
    let Some(admin) = server() else { return };
    let url = fresh_store(&admin, "concurrent");
    let database = "sicol_test_concurrent";
    let cases = [
        "social_led_eviction",
        "mixed_bereavement",
        "medical_led_psychosis",
        "low_urgency_benefits",
        "domestic_abuse",
    ];
    let mut writers = Vec::new();
    for writer in 0..8 {
        let login = if writer % 2 == 0 {
            "amhp_one"
        } else {
            "amhp_two"
        };
        let store = url_as(&admin, login, database, true);
        let mut command = Command::new(env!("CARGO_BIN_EXE_sicol"));
        command
            .args(["evaluate", "--save", "--store", &store, "--format", "json"])
            .current_dir(util::root())
            .env_remove("SICOL_STORE")
            // The assessor name typed in cannot claim another login.
            .env("SICOL_ASSESSOR", "someone-else")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for index in 0..50 {
            command.arg(case(cases[(writer + index) % cases.len()]));
        }
        writers.push(command.spawn().expect("writer starts"));
    }
    for writer in writers {
        let output = writer.wait_with_output().expect("writer ends");
        assert!(output.status.success(), "{}", text(&output));
    }
    let verify = sicol(&["verify", &url], &[]);
    assert!(verify.status.success(), "{}", text(&verify));
    assert!(
        text(&verify).contains("400 records, chain intact"),
        "{}",
        text(&verify)
    );
    let mut client = Client::connect(&url, NoTls).expect("connects");
    let by: Vec<(String, i64)> = client
        .query(
            "SELECT saved_by::text, count(*) FROM sicol.records GROUP BY 1 ORDER BY 1",
            &[],
        )
        .expect("saved_by")
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect();
    assert_eq!(
        by,
        [("amhp_one".to_owned(), 200), ("amhp_two".to_owned(), 200)]
    );
    // Every record links to the one before, in the database as in the JSON.
    let unlinked: i64 = client
        .query_one(
            "SELECT count(*) FROM sicol.records r
             LEFT JOIN sicol.records p ON p.id = r.id - 1
             WHERE r.previous IS DISTINCT FROM p.sha256",
            &[],
        )
        .expect("links")
        .get(0);
    assert_eq!(unlinked, 0);
    // Replay gives every record back exactly under its own rules.
    let replay = sicol(&["replay", &url], &[]);
    assert!(replay.status.success(), "{}", text(&replay));
    assert!(text(&replay).contains("replayed 400 records: 400 match, 0 drifted, 0 failed"));
}

#[test]
fn a_writer_killed_mid_transaction_leaves_the_chain_whole() {
    let Some(admin) = server() else { return };
    let url = fresh_store(&admin, "killed");
    let assessor = url_as(&admin, "amhp_one", "sicol_test_killed", true);
    assert!(save(&assessor, &["social_led_eviction"]).status.success());

    // A writer takes the chain lock and inserts the next record, then dies before committing.
    let mut writer = Client::connect(&assessor, NoTls).expect("writer connects");
    let pid: i32 = writer
        .query_one("SELECT pg_backend_pid()", &[])
        .expect("pid")
        .get(0);
    let mut transaction = writer.transaction().expect("begins");
    transaction
        .execute("SELECT pg_advisory_xact_lock($1)", &[&CHAIN_LOCK])
        .expect("locks");
    let tip: String = transaction
        .query_one("SELECT sha256 FROM sicol.records WHERE id = 1", &[])
        .expect("tip")
        .get(0);
    let sha = "ab".repeat(32);
    let body = format!(r#"{{"id": "00000002", "previous": "{tip}", "sha256": "{sha}"}}"#);
    transaction
        .execute(
            "INSERT INTO sicol.records (id, sha256, previous, body) VALUES (2, $1, $2, $3)",
            &[&sha, &tip, &body],
        )
        .expect("half-written insert");
    // Meanwhile another AMHP saves: it waits for the lock.
    let waiting = std::thread::spawn({
        let assessor = assessor.clone();
        move || save(&assessor, &["mixed_bereavement"])
    });
    std::thread::sleep(Duration::from_millis(500));
    // The writer's process dies: its session ends, its transaction rolls back.
    admin_client(&admin)
        .execute("SELECT pg_terminate_backend($1)", &[&pid])
        .expect("terminated");
    drop(transaction);
    let saved = waiting.join().expect("saver ends");
    assert!(saved.status.success(), "{}", text(&saved));

    // A sicol writer killed while saving many leaves whole records only.
    let mut child = Command::new(env!("CARGO_BIN_EXE_sicol"))
        .args([
            "evaluate", "--save", "--store", &assessor, "--format", "json",
        ])
        .args((0..300).map(|_| case("domestic_abuse")))
        .current_dir(util::root())
        .env_remove("SICOL_STORE")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starts");
    std::thread::sleep(Duration::from_millis(700));
    child.kill().expect("killed");
    let _ = child.wait();

    let verify = sicol(&["verify", &url], &[]);
    assert!(verify.status.success(), "{}", text(&verify));
    let mut client = Client::connect(&url, NoTls).expect("connects");
    assert!(
        count(&mut client) >= 2,
        "both saves before the kill are kept"
    );
    let after = save(&assessor, &["low_urgency_benefits"]);
    assert!(after.status.success(), "{}", text(&after));
    assert!(sicol(&["verify", &url], &[]).status.success());
}

#[test]
fn the_auditor_cannot_save_and_nothing_is_written() {
    let Some(admin) = server() else { return };
    let url = fresh_store(&admin, "auditor");
    let auditor = url_as(&admin, "auditor_one", "sicol_test_auditor", true);
    let output = save(&auditor, &["social_led_eviction"]);
    assert_eq!(output.status.code(), Some(4), "{}", text(&output));
    assert!(
        text(&output).contains("lacks the right"),
        "{}",
        text(&output)
    );
    let mut client = Client::connect(&url, NoTls).expect("connects");
    assert_eq!(count(&mut client), 0);
    // The auditor reads: verify and replay work.
    assert!(sicol(&["verify", &auditor], &[]).status.success());
    let mut direct = Client::connect(&auditor, NoTls).expect("auditor connects");
    let error = direct
        .execute(
            "INSERT INTO sicol.rulesets (sha256) VALUES ($1)",
            &[&"cd".repeat(32)],
        )
        .expect_err("refused");
    assert_eq!(
        error.code(),
        Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE)
    );
}

#[test]
fn an_assessor_cannot_update_or_delete_and_neither_can_the_owner() {
    let Some(admin) = server() else { return };
    let url = fresh_store(&admin, "append_only");
    let assessor = url_as(&admin, "amhp_one", "sicol_test_append_only", true);
    assert!(save(&assessor, &["social_led_eviction"]).status.success());
    let mut client = Client::connect(&assessor, NoTls).expect("connects");
    for statement in [
        "UPDATE sicol.records SET body = body",
        "DELETE FROM sicol.records",
        "TRUNCATE sicol.records",
        "DELETE FROM sicol.ruleset_files",
    ] {
        let error = client.execute(statement, &[]).expect_err(statement);
        assert_eq!(
            error.code(),
            Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE),
            "{statement}"
        );
    }
    // The owner holds every right, and the trigger still refuses.
    let mut owner = Client::connect(&url, NoTls).expect("connects");
    for statement in [
        "UPDATE sicol.records SET saved_by = 'x'",
        "DELETE FROM sicol.records",
        "TRUNCATE sicol.records",
    ] {
        let error = owner.execute(statement, &[]).expect_err(statement);
        assert!(
            error.to_string().contains("append-only")
                || error
                    .as_db_error()
                    .is_some_and(|db| db.message().contains("append-only")),
            "{statement}: {error}"
        );
    }
    assert_eq!(count(&mut owner), 1);
    assert!(sicol(&["verify", &url], &[]).status.success());
}

/// Replay's lines with the store's own name taken out, to compare two stores.
fn replay_lines(store: &str, shown: &str) -> Vec<String> {
    let output = sicol(&["replay", store], &[]);
    assert!(output.status.success(), "{}", text(&output));
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| {
            line.replace(shown, "STORE")
                .replace("STORE/", "STORE#")
                .replace(".json", "")
        })
        .collect()
}

#[test]
fn a_folder_store_copies_into_postgresql_and_back_with_verify_and_replay_identical() {
    let Some(admin) = server() else { return };
    fresh_store(&admin, "copy");
    let assessor = url_as(&admin, "amhp_one", "sicol_test_copy", true);
    let temp = tempfile::tempdir().expect("temp dir");
    let folder = temp.path().join("formulations");
    let folder_text = folder.display().to_string();
    assert!(save(
        &folder_text,
        &["social_led_eviction", "mixed_bereavement", "domestic_abuse"]
    )
    .status
    .success());
    let outcome = sicol(
        &[
            "outcome",
            "00000002",
            "--store",
            &folder_text,
            "--admitted",
            "no",
            "--date",
            "2026-11-30",
        ],
        &[],
    );
    assert!(outcome.status.success(), "{}", text(&outcome));

    let there = sicol(&["store", "copy", &folder_text, &assessor], &[]);
    assert!(there.status.success(), "{}", text(&there));
    assert!(
        text(&there).contains("copied 4 records and 1 rule set copy"),
        "{}",
        text(&there)
    );
    let verify_folder = sicol(&["verify", &folder_text], &[]);
    let verify_pg = sicol(&["verify", &assessor], &[]);
    assert!(verify_pg.status.success(), "{}", text(&verify_pg));
    let tip = |output: &Output| {
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .next()
            .and_then(|line| line.split_once(": ").map(|(_, rest)| rest.to_owned()))
    };
    assert_eq!(tip(&verify_folder), tip(&verify_pg));
    let shown_pg = assessor.replace(&format!(":{PASSWORD}@"), ":***@");
    assert_eq!(
        replay_lines(&folder_text, &folder_text),
        replay_lines(&assessor, &shown_pg)
    );

    // And back, into a new folder: the same files, byte for byte.
    let back = temp.path().join("back");
    let back_text = back.display().to_string();
    let copied = sicol(&["store", "copy", &assessor, &back_text], &[]);
    assert!(copied.status.success(), "{}", text(&copied));
    for id in 1..=4 {
        let name = format!("{id:08}.json");
        assert_eq!(
            fs::read(folder.join(&name)).expect("original"),
            fs::read(back.join(&name)).expect("copy"),
            "{name}"
        );
    }
    assert_eq!(
        replay_lines(&back_text, &back_text),
        replay_lines(&folder_text, &folder_text)
    );
    // A copy never goes into a store that holds records.
    let refused = sicol(&["store", "copy", &folder_text, &assessor], &[]);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
}

#[test]
fn credentials_come_from_the_password_file_as_for_psql() {
    let Some(admin) = server() else { return };
    let _url = fresh_store(&admin, "pgpass");
    let temp = tempfile::tempdir().expect("temp dir");
    let passfile = temp.path().join("pgpass");
    let host_port = host_port(&admin);
    let (host, port) = host_port.split_once(':').expect("host:port");
    fs::write(
        &passfile,
        format!("{host}:{port}:sicol_test_pgpass:amhp_one:{PASSWORD}\n"),
    )
    .expect("written");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&passfile, fs::Permissions::from_mode(0o600)).expect("0600");
    }
    let without_password = url_as(&admin, "amhp_one", "sicol_test_pgpass", false);
    let passfile_text = passfile.display().to_string();
    let output = sicol(
        &["verify", &without_password],
        &[("PGPASSFILE", &passfile_text), ("PGPASSWORD", "")],
    );
    assert!(output.status.success(), "{}", text(&output));
    // A wrong password is a refused login: exit 3, and the password never shows.
    let wrong =
        format!("postgresql://amhp_one:not-it@{host_port}/sicol_test_pgpass?sslmode=disable");
    let refused = sicol(&["verify", &wrong], &[]);
    assert_eq!(refused.status.code(), Some(3), "{}", text(&refused));
    assert!(!text(&refused).contains("not-it"), "{}", text(&refused));
}

#[test]
fn an_unreachable_server_is_exit_3_with_a_clear_message() {
    // No server is needed: nothing listens on port 1.
    let output = sicol(
        &[
            "verify",
            "postgresql://amhp:secret@127.0.0.1:1/sicol?sslmode=disable&connect_timeout=2",
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    let message = text(&output);
    assert!(
        message.contains("postgresql://amhp:***@127.0.0.1:1/sicol"),
        "{message}"
    );
    assert!(!message.contains("secret"), "{message}");
    assert!(message.contains("server is running"), "{message}");
}

#[test]
fn row_level_security_by_team_as_the_readme_shows_keeps_one_chain() {
    let Some(admin) = server() else { return };
    let url = fresh_store(&admin, "rls");
    let mut owner = Client::connect(&url, NoTls).expect("connects");
    owner
        .batch_execute(
            "ALTER TABLE sicol.records ADD COLUMN team name NOT NULL DEFAULT current_setting('sicol.team', true);
             ALTER TABLE sicol.records ENABLE ROW LEVEL SECURITY;
             CREATE POLICY own_team ON sicol.records FOR ALL TO sicol_assessor
                 USING (team = current_setting('sicol.team', true))
                 WITH CHECK (team = current_setting('sicol.team', true));
             CREATE POLICY everything ON sicol.records FOR SELECT TO sicol_lead, sicol_auditor USING (true);
             ALTER ROLE amhp_one IN DATABASE sicol_test_rls SET sicol.team = 'north';
             ALTER ROLE amhp_two IN DATABASE sicol_test_rls SET sicol.team = 'south';",
        )
        .expect("policies");
    let north = url_as(&admin, "amhp_one", "sicol_test_rls", true);
    let south = url_as(&admin, "amhp_two", "sicol_test_rls", true);
    assert!(save(&north, &["social_led_eviction"]).status.success());
    let saved = save(&south, &["mixed_bereavement", "domestic_abuse"]);
    assert!(saved.status.success(), "{}", text(&saved));
    assert!(save(&north, &["low_urgency_benefits"]).status.success());
    let seen = |store: &str| -> i64 {
        Client::connect(store, NoTls)
            .expect("connects")
            .query_one("SELECT count(*) FROM sicol.records", &[])
            .expect("count")
            .get(0)
    };
    assert_eq!(seen(&north), 2);
    assert_eq!(seen(&south), 2);
    let auditor = url_as(&admin, "auditor_one", "sicol_test_rls", true);
    let verify = sicol(&["verify", &auditor], &[]);
    assert!(verify.status.success(), "{}", text(&verify));
    assert!(
        text(&verify).contains("4 records, chain intact"),
        "{}",
        text(&verify)
    );
}
