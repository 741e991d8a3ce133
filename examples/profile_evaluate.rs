//! Evaluates one case many times with the bundled rules, for profilers (perf, callgrind), which
//! need a plain loop rather than criterion's harness. See BENCHMARKS.md.
//!
//! cargo run --release --example profile_evaluate -- [CASE.yaml] [TIMES]

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let case = args
        .next()
        .unwrap_or_else(|| "tests/cases/social_led_eviction.yaml".to_owned());
    let times: u32 = args.next().and_then(|n| n.parse().ok()).unwrap_or(10_000);
    let rules_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let run = || -> sicol::Result<(f64, f64)> {
        let rules = sicol::files::load_rules(&rules_dir)?;
        let assessment = sicol::files::read_assessment(Path::new(&case), &rules)?;
        let start = Instant::now();
        let mut checksum = 0.0;
        for _ in 0..times {
            checksum += sicol::evaluate(&rules, std::hint::black_box(&assessment)).social_weight;
        }
        let micros = start.elapsed().as_secs_f64() * 1e6 / f64::from(times.max(1));
        Ok((micros, checksum))
    };
    match run() {
        Ok((micros, checksum)) => {
            println!("{times} evaluations of {case}: {micros:.1} µs each (checksum {checksum})");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}
