//! The CI recipes in `examples/ci/` do what the README says: both YAML files parse (with
//! PyYAML, Debian's python3-yaml), publish the JUnit file and the report folder the
//! `stickler run` they contain writes, and use only flags `stickler` and `demo-rp`
//! accept. Then each recipe's commands run here, as the job would run them, without
//! Docker: the container paths are mapped to this checkout, the fixed ports 9400 and
//! 3000 to free ones, and one check is run (`--dry-run` first, then for real), so the
//! IdP config, the scenario file and the app's arguments are proven to fit together.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
mod support;
use support::{Killed, free_port};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// The YAML document as JSON, and every shell command line of its `run:` and `script:`
/// entries, split into words (PyYAML and shlex: real parsers, not ours).
fn parse(file: &Path) -> (Value, Vec<Vec<String>>) {
    const PY: &str = r#"
import json, shlex, sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
scripts = []
def walk(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("run", "script"):
                scripts.extend([v] if isinstance(v, str) else v)
            else:
                walk(v)
    elif isinstance(node, list):
        for v in node:
            walk(v)
walk(doc)
lines = []
for s in scripts:
    for line in s.replace("\\\n", " ").split("\n"):
        if line.strip():
            lines.append(shlex.split(line, comments=True))
json.dump({"doc": doc, "lines": lines}, sys.stdout, default=str)
"#;
    let out = Command::new("python3")
        .args(["-c", PY])
        .arg(file)
        .output()
        .expect("python3 runs (apt-get install python3-yaml)");
    assert!(
        out.status.success(),
        "{} does not parse as YAML (or python3-yaml is missing: apt-get install python3-yaml): {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let lines = v["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            l.as_array()
                .unwrap()
                .iter()
                .map(|w| w.as_str().unwrap().to_string())
                .collect()
        })
        .collect();
    (v["doc"].clone(), lines)
}

/// One program a recipe runs: `stickler` (its subcommand first) or `demo-rp`, with the
/// environment it sets for it.
#[derive(Debug, Clone)]
struct Invocation {
    program: &'static str,
    args: Vec<String>,
    env: Vec<(String, String)>,
}

/// The `stickler` and `demo-rp` invocations of the command lines: direct (`stickler
/// run ...`, `K=V demo-rp ...`) or through `docker run ... "$STICKLER_IMAGE" ...`, where
/// `--entrypoint demo-rp` makes it the demo app and `-e K=V` sets its environment.
fn invocations(lines: &[Vec<String>]) -> Vec<Invocation> {
    let ends = |w: &str| matches!(w, "&" | "&&" | ";" | "|" | "2>&1") || w.starts_with('>');
    let mut out = Vec::new();
    for words in lines {
        let mut env = Vec::new();
        let mut entrypoint = None;
        let mut i = 0;
        while i < words.len() {
            let w = words[i].as_str();
            let program = match w {
                "stickler" => Some("stickler"),
                "demo-rp" if entrypoint.is_none() => Some("demo-rp"),
                "$STICKLER_IMAGE" => Some(if entrypoint == Some("demo-rp") {
                    "demo-rp"
                } else {
                    "stickler"
                }),
                _ => None,
            };
            if let Some(program) = program {
                let args: Vec<String> = words[i + 1..]
                    .iter()
                    .take_while(|w| !ends(w))
                    .cloned()
                    .collect();
                out.push(Invocation {
                    program,
                    args,
                    env: std::mem::take(&mut env),
                });
                break;
            }
            if w == "-e" {
                if let Some((k, v)) = words.get(i + 1).and_then(|kv| kv.split_once('=')) {
                    env.push((k.to_string(), v.to_string()));
                }
                i += 1;
            } else if w == "--entrypoint" {
                entrypoint =
                    (words.get(i + 1).map(String::as_str) == Some("demo-rp")).then_some("demo-rp");
                i += 1;
            } else if let Some((k, v)) = w.split_once('=')
                && k.chars().all(|c| c.is_ascii_uppercase() || c == '_')
            {
                env.push((k.to_string(), v.to_string()));
            }
            i += 1;
        }
    }
    out
}

fn flag_value<'a>(args: &'a [String], flag: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}

/// Every `--flag` of `args` is one `help` documents.
fn assert_flags_known(what: &str, args: &[String], help: &str) {
    for a in args.iter().filter(|a| a.starts_with("--")) {
        let flag = a.split('=').next().unwrap();
        assert!(
            help.contains(&format!("{flag} ")) || help.contains(&format!("{flag}\n")),
            "{what}: `{flag}` is not a flag it accepts:\n{help}"
        );
    }
}

fn help(program: &Path, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn wait_for(url: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !Command::new("curl")
        .args(["-fsS", "-o", "/dev/null", url])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
    {
        assert!(Instant::now() < deadline, "{url} did not come up");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The recipe's commands, run here: ports and container paths mapped, one check.
fn run_recipe(name: &str, calls: &[Invocation], job_env: &[(String, String)]) {
    let ws = workspace();
    let dir = std::env::temp_dir().join(format!("stickler-ci-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (idp_port, app_port) = (free_port(), free_port());
    let ports = |s: &str| {
        s.replace("127.0.0.1:9400", &format!("127.0.0.1:{idp_port}"))
            .replace("127.0.0.1:3000", &format!("127.0.0.1:{app_port}"))
    };
    for f in ["idp.toml", "stickler.toml"] {
        let text = std::fs::read_to_string(ws.join("examples/ci").join(f)).unwrap();
        std::fs::write(dir.join(f), ports(&text)).unwrap();
    }
    let report = dir.join("stickler-report");
    let map = |a: &String| -> String {
        let a = ports(a);
        match a.as_str() {
            "/ci/idp.toml" | "examples/ci/idp.toml" => dir.join("idp.toml").display().to_string(),
            "examples/ci/stickler.toml" => dir.join("stickler.toml").display().to_string(),
            _ => a
                .replace(
                    "/opt/stickler/features",
                    &ws.join("features").display().to_string(),
                )
                .replace("stickler-report", &report.display().to_string()),
        }
    };
    let mapped = |i: &Invocation| -> (Vec<String>, Vec<(String, String)>) {
        (
            i.args.iter().map(map).collect(),
            i.env
                .iter()
                .chain(job_env)
                .map(|(k, v)| (k.clone(), ports(v)))
                .collect(),
        )
    };
    let find = |program: &str, sub: Option<&str>| {
        calls
            .iter()
            .find(|c| {
                c.program == program
                    && sub.is_none_or(|s| c.args.first().map(String::as_str) == Some(s))
            })
            .unwrap_or_else(|| panic!("{name}: no {program} {sub:?} in {calls:?}"))
    };

    let (args, env) = mapped(find("stickler", Some("idp")));
    let _idp = Killed(
        Command::new(env!("CARGO_BIN_EXE_stickler"))
            .args(&args)
            .envs(env)
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for(&format!(
        "http://127.0.0.1:{idp_port}/t/ci/.well-known/openid-configuration"
    ));
    let (args, env) = mapped(find("demo-rp", None));
    let _app = Killed(
        Command::new(ws.join("target/debug/demo-rp"))
            .args(&args)
            .envs(env)
            .env_remove("DEMO_RP_BUGS")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for(&format!("http://127.0.0.1:{app_port}/"));

    let (args, env) = mapped(find("stickler", Some("run")));
    let run = |extra: &[&str]| {
        let t0 = Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_stickler"))
            .current_dir(&dir)
            .args(&args)
            .args(extra)
            .envs(env.clone())
            .output()
            .unwrap();
        eprintln!(
            "{name}: stickler {} {extra:?}: {:.1} s",
            args[0],
            t0.elapsed().as_secs_f64()
        );
        out
    };
    let out = run(&["--dry-run"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{name}: --dry-run: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!report.exists(), "a dry run writes no report");
    let out = run(&["--check", "jumpcloud.state.1"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{name}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let junit = std::fs::read_to_string(report.join("junit.xml"))
        .expect("the JUnit file the job publishes");
    assert!(junit.contains("jumpcloud.state.1"), "{junit}");
    let html =
        std::fs::read_to_string(report.join("report.html")).expect("the HTML report the job keeps");
    assert!(html.contains("jumpcloud.state.1"));
    assert!(report.join("index.html").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_ci_recipes_parse_use_real_flags_and_run() {
    let ws = workspace();
    // The demo app both recipes start as the app under test.
    let built = Command::new("cargo")
        .args(["build", "--quiet", "-p", "stickler-demo-rp"])
        .current_dir(&ws)
        .status()
        .unwrap();
    assert!(built.success());
    let stickler = Path::new(env!("CARGO_BIN_EXE_stickler"));
    let run_help = help(stickler, &["run"]);
    let idp_help = help(stickler, &["idp"]);
    let demo_help = help(&ws.join("target/debug/demo-rp"), &[]);

    // GitHub Actions.
    let (doc, lines) = parse(&ws.join("examples/ci/github-actions.yml"));
    let steps = doc["jobs"]["stickler"]["steps"]
        .as_array()
        .expect("jobs.stickler.steps");
    let uses = |prefix: &str| {
        steps
            .iter()
            .find(|s| s["uses"].as_str().is_some_and(|u| u.starts_with(prefix)))
            .unwrap_or_else(|| panic!("no step uses {prefix}"))
            .clone()
    };
    let gh = invocations(&lines);
    let run = gh
        .iter()
        .find(|c| c.program == "stickler" && c.args[0] == "run")
        .unwrap();
    let junit = flag_value(&run.args, "--junit").unwrap();
    let report_dir = flag_value(&run.args, "--report-dir").unwrap();
    assert_eq!(
        uses("mikepenz/action-junit-report")["with"]["report_paths"],
        junit
    );
    assert_eq!(
        uses("actions/upload-artifact")["with"]["path"]
            .as_str()
            .unwrap()
            .trim_end_matches('/'),
        report_dir
    );
    assert_eq!(uses("actions/upload-artifact")["if"], "always()");
    check_flags("github-actions.yml", &gh, &run_help, &idp_help, &demo_help);
    run_recipe("github", &gh, &[]);

    // GitLab CI.
    let (doc, lines) = parse(&ws.join("examples/ci/gitlab-ci.yml"));
    let job = &doc["stickler"];
    let gl = invocations(&lines);
    let run = gl
        .iter()
        .find(|c| c.program == "stickler" && c.args[0] == "run")
        .unwrap();
    assert_eq!(
        job["artifacts"]["reports"]["junit"],
        flag_value(&run.args, "--junit").unwrap()
    );
    assert_eq!(job["artifacts"]["when"], "always");
    let report_dir = format!("{}/", flag_value(&run.args, "--report-dir").unwrap());
    assert!(
        job["artifacts"]["paths"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == &Value::from(report_dir.clone())),
        "{report_dir} kept"
    );
    check_flags("gitlab-ci.yml", &gl, &run_help, &idp_help, &demo_help);
    // The job's variables are the runner's environment (STICKLER_IDP: the IdP it uses).
    let vars: Vec<(String, String)> = job["variables"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect();
    assert!(vars.iter().any(|(k, _)| k == "STICKLER_IDP"), "{vars:?}");
    run_recipe("gitlab", &gl, &vars);
}

fn check_flags(file: &str, calls: &[Invocation], run: &str, idp: &str, demo: &str) {
    let subcommands: Vec<(&str, &str)> = calls
        .iter()
        .map(|c| (c.program, c.args.first().map(String::as_str).unwrap_or("")))
        .collect();
    for want in [("stickler", "idp"), ("stickler", "run")] {
        assert_eq!(
            subcommands.iter().filter(|s| **s == want).count(),
            1,
            "{file}: one `{} {}` in {calls:?}",
            want.0,
            want.1
        );
    }
    assert_eq!(
        calls.iter().filter(|c| c.program == "demo-rp").count(),
        1,
        "{file}"
    );
    for c in calls {
        match (c.program, c.args.first().map(String::as_str)) {
            ("stickler", Some("run")) => {
                assert_flags_known(&format!("{file}: stickler run"), &c.args, run)
            }
            ("stickler", Some("idp")) => {
                assert_flags_known(&format!("{file}: stickler idp"), &c.args, idp)
            }
            ("demo-rp", _) => assert_flags_known(&format!("{file}: demo-rp"), &c.args, demo),
            other => panic!("{file}: unexpected {other:?}"),
        }
    }
}
