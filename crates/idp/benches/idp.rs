//! The IdP's speed: `cargo bench -p stickler-idp --bench idp`.
//!
//! - start-up: spawn the server, create the demo tenant, answer the first discovery
//!   request (median of 20); and, when `target/release/stickler` exists, the same for
//!   `stickler idp --listen 127.0.0.1:<port>` as a process (median of 10);
//! - code-exchange throughput on loopback: `BENCH_CONCURRENCY` workers (default 16),
//!   each doing authorize (GET) + login (POST) + token (POST, `client_secret_post`,
//!   RS256 ID token) for `BENCH_SECS` seconds (default 5); exchanges/s, p50, p99;
//! - where the time goes: the cost of one ID token signature (RS256, ES256), the same
//!   throughput with ES256 ID tokens, and plain discovery requests/s (HTTP alone).
//!
//! Targets: start-up < 100 ms; > 2,000 exchanges/s on a 2-core machine. Prints a
//! human-readable report, then one JSON line.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use stickler_idp::demo::demo_tenant;
use stickler_idp::keys::KeyRing;
use stickler_idp::quirks::SigningAlg;
use stickler_idp::{Profile, QuirkOverrides};

#[path = "support/flow.rs"]
mod flow;

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    // `cargo bench` passes `--bench`. Without it (`cargo test --all-targets`) one quick
    // pass checks that the benchmark still works, instead of measuring for half a minute.
    if std::env::args().any(|a| a == "--bench") {
        rt.block_on(run());
    } else {
        rt.block_on(smoke());
    }
}

async fn smoke() {
    startup_in_process().await;
    for alg in [SigningAlg::RS256, SigningAlg::ES256] {
        let t = throughput(1, 1, alg).await;
        assert_eq!(t.errors, 0);
        assert!(t.count > 0);
    }
    println!("benchmark smoke test passed; `cargo bench -p stickler-idp --bench idp` measures");
}

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .expect("reqwest client")
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// CPU time used by this process so far (user + system, all threads), from
/// `/proc/self/stat`; `None` where there is no procfs. Unlike wall time it hardly moves
/// when other work shares the machine.
fn process_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the `(comm)`: state is field 3, utime 14, stime 15 (USER_HZ = 100).
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// The machine's load average over the last minute, to judge how noisy wall times are.
fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split(' ')
        .next()?
        .parse()
        .ok()
}

async fn run() {
    let concurrency = env_or("BENCH_CONCURRENCY", 16).max(1) as usize;
    let secs = env_or("BENCH_SECS", 5).max(1);
    let load = load_average();
    println!(
        "stickler-idp benchmark ({} CPUs, load average {})",
        num_cpus(),
        load.map_or("unknown".into(), |l| format!("{l:.2}"))
    );

    // (a) start-up, in process.
    let mut runs = Vec::new();
    for _ in 0..20 {
        runs.push(startup_in_process().await);
    }
    let startup = median(runs);
    println!(
        "start-up (spawn + demo tenant + first discovery answer), median of 20: {:.2} ms  [target < 100 ms]",
        ms(startup)
    );
    // ...and as a process.
    let binary = stickler_binary();
    let startup_bin = match &binary {
        Some(path) => {
            let mut runs = Vec::new();
            for _ in 0..10 {
                runs.push(startup_process(path).await);
            }
            let m = median(runs);
            println!(
                "start-up of `{} idp` to its first discovery answer, median of 10: {:.2} ms",
                path.display(),
                ms(m)
            );
            Some(m)
        }
        None => {
            println!(
                "(no target/release/stickler: build it with `cargo build --release` to time the process)"
            );
            None
        }
    };

    // (b) throughput with RS256 ID tokens.
    println!("code exchanges: {concurrency} workers for {secs} s …");
    let rs = throughput(concurrency, secs, SigningAlg::RS256).await;
    rs.print("RS256");

    // Where the time goes.
    let sign_rs = sign_cost(SigningAlg::RS256);
    let sign_es = sign_cost(SigningAlg::ES256);
    println!(
        "one ID token signature (CPU time): RS256 {:.3} ms, ES256 {:.3} ms",
        ms(sign_rs),
        ms(sign_es)
    );
    let es = throughput(concurrency, secs.min(3), SigningAlg::ES256).await;
    es.print("ES256 (for comparison)");
    let disco = discovery_rate(concurrency, secs.min(3)).await;
    println!("discovery alone (HTTP + JSON, no crypto): {disco:.0} requests/s");

    let json = serde_json::json!({
        "startup_ms": ms(startup),
        "startup_process_ms": startup_bin.map(ms),
        "concurrency": concurrency,
        "secs": secs,
        "exchanges_per_sec": rs.rate,
        "p50_ms": ms(rs.p50),
        "p99_ms": ms(rs.p99),
        "exchanges": rs.count,
        "errors": rs.errors,
        "sign_rs256_ms": ms(sign_rs),
        "sign_es256_ms": ms(sign_es),
        "es256_exchanges_per_sec": es.rate,
        "discovery_per_sec": disco,
        "cpu_ms_per_exchange": rs.cpu.map(ms),
        "es256_cpu_ms_per_exchange": es.cpu.map(ms),
        "cpus": num_cpus(),
        "load_average": load,
    });
    println!("{json}");
}

fn num_cpus() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

async fn startup_in_process() -> Duration {
    let http = http_client();
    let t0 = Instant::now();
    let running = stickler_idp::spawn("127.0.0.1:0".parse().unwrap(), None, None)
        .await
        .expect("spawn");
    running
        .idp
        .create_tenant(demo_tenant(&running.url(), Profile::Jumpcloud))
        .expect("demo tenant");
    let resp = http
        .get(format!(
            "{}/.well-known/openid-configuration",
            running.url()
        ))
        .send()
        .await
        .expect("discovery");
    assert!(resp.status().is_success());
    resp.bytes().await.expect("discovery body");
    let elapsed = t0.elapsed();
    running.shutdown().await;
    elapsed
}

/// `target/release/stickler`, found from this bench's own path
/// (`target/release/deps/idp-…`), so it follows `CARGO_TARGET_DIR`.
fn stickler_binary() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let release = exe.parent()?.parent()?;
    let bin = release.join(format!("stickler{}", std::env::consts::EXE_SUFFIX));
    bin.is_file().then_some(bin)
}

async fn startup_process(bin: &PathBuf) -> Duration {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let url = format!("http://127.0.0.1:{port}/.well-known/openid-configuration");
    let http = http_client();
    let t0 = Instant::now();
    // kill_on_drop: the child ends even if this panics.
    let mut child = tokio::process::Command::new(bin)
        .args(["idp", "--listen", &format!("127.0.0.1:{port}")])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn stickler idp");
    let elapsed = loop {
        if let Ok(resp) = http.get(&url).send().await
            && resp.status().is_success()
            && resp.bytes().await.is_ok()
        {
            break t0.elapsed();
        }
        if t0.elapsed() > Duration::from_secs(10) {
            let _ = child.kill().await;
            panic!("`stickler idp` did not answer discovery within 10 s");
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    };
    let _ = child.kill().await;
    let _ = child.wait().await;
    elapsed
}

struct Throughput {
    count: usize,
    errors: usize,
    rate: f64,
    p50: Duration,
    p99: Duration,
    /// Process CPU (client and server together) per exchange.
    cpu: Option<Duration>,
}

impl Throughput {
    fn print(&self, label: &str) {
        println!(
            "code exchanges, {label}: {:.0}/s ({} in all, {} errors), latency p50 {:.2} ms, p99 {:.2} ms  [target > 2,000/s]",
            self.rate,
            self.count,
            self.errors,
            ms(self.p50),
            ms(self.p99)
        );
        if let Some(cpu) = self.cpu {
            println!(
                "  CPU per exchange (client and server, one process): {:.2} ms, so at most {:.0}/s on {} CPUs",
                ms(cpu),
                num_cpus() as f64 / cpu.as_secs_f64(),
                num_cpus()
            );
        }
    }
}

/// One authorize + login + token round; Err on anything unexpected.
async fn exchange(http: &reqwest::Client, base: &str) -> Result<(), String> {
    flow::flow(http, base, "bench-state-123", true, true).await
}

async fn throughput(concurrency: usize, secs: u64, alg: SigningAlg) -> Throughput {
    let running = stickler_idp::spawn("127.0.0.1:0".parse().unwrap(), None, None)
        .await
        .expect("spawn");
    let mut spec = demo_tenant(&running.url(), Profile::Jumpcloud);
    spec.quirks = QuirkOverrides {
        id_token_signing_alg: Some(alg),
        ..Default::default()
    };
    running.idp.create_tenant(spec).expect("demo tenant");
    let base = running.url();
    let http = http_client();
    // Warm up connections and caches.
    for _ in 0..concurrency {
        exchange(&http, &base).await.expect("warm-up exchange");
    }
    let stop = Arc::new(AtomicBool::new(false));
    let cpu0 = process_cpu();
    let t0 = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (http, base, stop) = (http.clone(), base.clone(), stop.clone());
        workers.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0usize;
            while !stop.load(Ordering::Relaxed) {
                let t = Instant::now();
                match exchange(&http, &base).await {
                    Ok(()) => lat.push(t.elapsed()),
                    Err(e) => {
                        errors += 1;
                        if errors == 1 {
                            eprintln!("exchange failed: {e}");
                        }
                    }
                }
            }
            (lat, errors)
        }));
    }
    tokio::time::sleep(Duration::from_secs(secs)).await;
    stop.store(true, Ordering::Relaxed);
    let mut lat = Vec::new();
    let mut errors = 0;
    for w in workers {
        let (l, e) = w.await.expect("worker");
        lat.extend(l);
        errors += e;
    }
    let elapsed = t0.elapsed();
    let cpu = process_cpu()
        .zip(cpu0)
        .map(|(after, before)| (after - before) / lat.len().max(1) as u32);
    running.shutdown().await;
    lat.sort();
    Throughput {
        count: lat.len(),
        errors,
        rate: lat.len() as f64 / elapsed.as_secs_f64(),
        p50: percentile(&lat, 0.50),
        p99: percentile(&lat, 0.99),
        cpu,
    }
}

fn sign_cost(alg: SigningAlg) -> Duration {
    let ring = KeyRing::bundled("bench");
    let key = ring.for_alg(alg);
    let claims = serde_json::json!({
        "iss": "http://127.0.0.1:9400/", "sub": "66a38039458be7b3dbb27541",
        "aud": ["demo-app"], "exp": 4_000_000_000u64, "iat": 1_700_000_000u64,
    });
    // Long enough for procfs's 10 ms ticks.
    let mut n = 0;
    let (cpu0, t0) = (process_cpu(), Instant::now());
    while t0.elapsed() < Duration::from_millis(500) {
        key.sign(&claims).expect("sign");
        n += 1;
    }
    // CPU time when known: the loop runs on one thread while the rest of the process idles.
    let cpu = process_cpu().zip(cpu0).map(|(a, b)| a - b);
    cpu.filter(|c| !c.is_zero()).unwrap_or(t0.elapsed()) / n
}

async fn discovery_rate(concurrency: usize, secs: u64) -> f64 {
    let running = stickler_idp::spawn("127.0.0.1:0".parse().unwrap(), None, None)
        .await
        .expect("spawn");
    running
        .idp
        .create_tenant(demo_tenant(&running.url(), Profile::Jumpcloud))
        .expect("demo tenant");
    let url = format!("{}/.well-known/openid-configuration", running.url());
    let http = http_client();
    let stop = Arc::new(AtomicBool::new(false));
    let t0 = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (http, url, stop) = (http.clone(), url.clone(), stop.clone());
        workers.push(tokio::spawn(async move {
            let mut n = 0usize;
            while !stop.load(Ordering::Relaxed) {
                if let Ok(r) = http.get(&url).send().await
                    && r.bytes().await.is_ok()
                {
                    n += 1;
                }
            }
            n
        }));
    }
    tokio::time::sleep(Duration::from_secs(secs)).await;
    stop.store(true, Ordering::Relaxed);
    let mut n = 0;
    for w in workers {
        n += w.await.expect("worker");
    }
    let rate = n as f64 / t0.elapsed().as_secs_f64();
    running.shutdown().await;
    rate
}
