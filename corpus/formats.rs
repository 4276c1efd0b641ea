//! Generators for configuration, data, documentation and build-artefact formats: YAML (Kubernetes,
//! CI, Compose, Helm, app config), JSON (configs, fixtures, launch files), TOML, INI-style files,
//! `.env`, Dockerfiles, Terraform, XML, Markdown, Jupyter notebooks, minified bundles, CSV,
//! logs, HTML, CSS, lock files, PEM files and binary files.
//!
//! Design decision: structured formats (JSON, notebooks) are built as a tree and serialised
//! by a writer that records the line of every planted value, so the output stays valid and
//! the label line is exact; line formats write plants through [`Doc::slot`] at the
//! indentation of the mapping they are in.

use super::plants::{self, Form, Plant, Scope};
use super::rng::{ALNUM, B62, HEX, Rng};
use super::tokens as t;
use super::vocab::{self, camel, kebab, pascal, upper};
use super::{Doc, Fmt};

// ---------------------------------------------------------------------------------------
// YAML
// ---------------------------------------------------------------------------------------

fn yaml_value(rng: &Rng) -> String {
    match rng.below(9) {
        0 => rng.range(0, 5000).to_string(),
        1 => rng.pick(&["true", "false"]).to_string(),
        2 => format!("\"{}\"", vocab::phrase(rng).replace('"', "")),
        3 => vocab::url(rng),
        4 => format!("{}:{}", vocab::noun(rng), rng.range(1000, 9999)),
        5 => format!("{}s", rng.range(1, 300)),
        6 => rng
            .pick(&["info", "debug", "warn", "production", "staging", "us-east-1", "eu-west-1"])
            .to_string(),
        _ => kebab(&vocab::snake_plain(rng)),
    }
}

fn yaml_mapping(doc: &mut Doc, rng: &Rng, indent: usize, depth: usize) {
    let pad = " ".repeat(indent);
    for _ in 0..rng.range(2, 7) {
        let k = vocab::snake_plain(rng);
        if depth > 0 && rng.chance(0.3) {
            doc.line(&format!("{pad}{k}:"));
            yaml_mapping(doc, rng, indent + 2, depth - 1);
        } else if rng.chance(0.12) {
            doc.line(&format!("{pad}{k}:"));
            for _ in 0..rng.range(1, 4) {
                doc.line(&format!("{pad}  - {}", yaml_value(rng)));
            }
        } else {
            doc.line(&format!("{pad}{k}: {}", yaml_value(rng)));
        }
        doc.slot(Fmt::Yaml, &pad, Scope::Block);
    }
}

fn k8s(doc: &mut Doc, rng: &Rng) {
    let app = format!(
        "{}-{}",
        vocab::noun(rng),
        rng.pick(&["api", "worker", "web", "service", "gateway", "cron"])
    );
    let ns = rng.pick(&["default", "prod", "staging", "platform", "data"]);
    match rng.below(5) {
        0 | 1 => {
            doc.line("apiVersion: apps/v1");
            doc.line("kind: Deployment");
            doc.line(&format!("metadata:\n  name: {app}\n  namespace: {ns}\n  labels:\n    app.kubernetes.io/name: {app}"));
            doc.line(&format!("spec:\n  replicas: {}\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: {app}", rng.range(1, 6)));
            doc.line(&format!("  template:\n    metadata:\n      labels:\n        app.kubernetes.io/name: {app}\n    spec:\n      serviceAccountName: {app}\n      containers:"));
            doc.line(&format!(
                "        - name: {app}\n          image: registry.{}/{app}:{}.{}.{}",
                rng.pick(vocab::DOMAINS),
                rng.range(0, 3),
                rng.range(0, 30),
                rng.range(0, 9)
            ));
            doc.line(&format!(
                "          ports:\n            - containerPort: {}",
                rng.pick(&[8080, 3000, 8000, 9090, 5000])
            ));
            doc.line("          env:");
            for _ in 0..rng.range(2, 6) {
                doc.line(&format!(
                    "            - name: {}\n              value: \"{}\"",
                    upper(&vocab::snake_plain(rng)),
                    yaml_value(rng).replace('"', "")
                ));
            }
            let s = rng.pick(&[
                "DB_PASSWORD",
                "API_TOKEN",
                "REDIS_PASSWORD",
                "JWT_SECRET",
                "STRIPE_SECRET_KEY",
            ]);
            if rng.chance(0.5) {
                doc.line(&format!("            - name: {s}\n              valueFrom:\n                secretKeyRef:\n                  name: {app}-secrets\n                  key: {}", s.to_ascii_lowercase().replace('_', "-")));
            }
            doc.line(&format!("          resources:\n            limits:\n              cpu: {}m\n              memory: {}Mi", rng.range(1, 20) * 100, rng.range(1, 16) * 128));
        }
        2 => {
            doc.line(&format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {app}-config\n  namespace: {ns}\ndata:"));
            for _ in 0..rng.range(3, 10) {
                doc.line(&format!(
                    "  {}: \"{}\"",
                    upper(&vocab::snake_plain(rng)),
                    yaml_value(rng).replace('"', "")
                ));
                doc.slot(Fmt::Yaml, "  ", Scope::Block);
            }
        }
        3 => {
            doc.line(&format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: {app}-secrets\n  namespace: {ns}\ntype: Opaque\nstringData:"));
            doc.line(&format!(
                "  {}: \"{}\"",
                rng.pick(&["username", "db-user", "smtp-user"]),
                rng.pick(vocab::FIRST_NAMES).to_ascii_lowercase()
            ));
            doc.slot(Fmt::Yaml, "  ", Scope::Block);
            doc.line(&format!(
                "  {}: \"{}\"",
                rng.pick(&["log-level", "region", "host"]),
                yaml_value(rng).replace('"', "")
            ));
        }
        _ => {
            doc.line(&format!("apiVersion: v1\nkind: Service\nmetadata:\n  name: {app}\n  namespace: {ns}\nspec:\n  type: ClusterIP\n  selector:\n    app.kubernetes.io/name: {app}\n  ports:\n    - port: 80\n      targetPort: {}", rng.pick(&[8080, 3000, 8000])));
        }
    }
    doc.line("---");
}

fn gh_actions(doc: &mut Doc, rng: &Rng) {
    doc.line(&format!(
        "name: {}",
        pascal(rng.pick_str(&["ci", "build", "release", "deploy", "nightly"]))
    ));
    doc.line("on:\n  push:\n    branches: [main]\n  pull_request:");
    doc.line("env:");
    doc.line(&format!("  NODE_VERSION: \"{}\"", rng.range(16, 22)));
    doc.line("  REGISTRY: ghcr.io");
    doc.slot(Fmt::Yaml, "  ", Scope::Block);
    doc.line("jobs:");
    while !doc.full() {
        let job = vocab::func_snake(rng).replace('_', "-");
        doc.line(&format!(
            "  {job}:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4"
        ));
        for _ in 0..rng.range(2, 6) {
            match rng.below(4) {
                0 => doc.line(&format!("      - name: {}\n        run: {}", vocab::phrase(rng).replace(':', ""), rng.pick(&["npm ci", "make test", "cargo test --locked", "pytest -q", "go test ./...", "docker build ."]))),
                1 => doc.line(&format!("      - uses: actions/cache@v4\n        with:\n          path: ~/.cache\n          key: ${{{{ runner.os }}}}-{}-${{{{ hashFiles('**/lockfile') }}}}", vocab::noun(rng))),
                2 => {
                    doc.line(&format!("      - name: {}\n        env:", vocab::phrase(rng).replace(':', "")));
                    doc.line(&format!("          {}: ${{{{ secrets.{} }}}}", rng.pick(&["GITHUB_TOKEN", "NPM_TOKEN", "AWS_SECRET_ACCESS_KEY", "DOCKER_PASSWORD"]), rng.pick(&["GITHUB_TOKEN", "NPM_TOKEN", "AWS_SECRET", "REGISTRY_PASSWORD"])));
                    doc.slot(Fmt::Yaml, "          ", Scope::Block);
                    doc.line(&format!("        run: ./scripts/{}.sh", vocab::func_snake(rng)));
                }
                _ => doc.line("      - name: Login\n        uses: docker/login-action@v3\n        with:\n          registry: ${{ env.REGISTRY }}\n          username: ${{ github.actor }}\n          password: ${{ secrets.GITHUB_TOKEN }}"),
            }
        }
    }
}

fn gitlab_ci(doc: &mut Doc, rng: &Rng) {
    doc.line("stages:\n  - build\n  - test\n  - deploy");
    doc.line("");
    doc.line("variables:");
    doc.line("  DOCKER_DRIVER: overlay2");
    doc.line("  IMAGE_TAG: $CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA");
    doc.slot(Fmt::Yaml, "  ", Scope::Block);
    doc.line("");
    while !doc.full() {
        let job = vocab::func_snake(rng).replace('_', "-");
        doc.line(&format!(
            "{job}:\n  stage: {}\n  image: {}\n  script:",
            rng.pick(&["build", "test", "deploy"]),
            rng.pick(&["node:20", "python:3.12", "golang:1.22", "rust:1.80", "docker:24"])
        ));
        for _ in 0..rng.range(1, 5) {
            doc.line(&format!(
                "    - {}",
                rng.pick(&[
                    "npm ci",
                    "make build",
                    "pytest",
                    "docker login -u $CI_REGISTRY_USER -p $CI_REGISTRY_PASSWORD $CI_REGISTRY",
                    "docker push $IMAGE_TAG",
                    "./deploy.sh",
                    "helm upgrade --install app chart/"
                ])
            ));
        }
        if rng.chance(0.3) {
            doc.line("  variables:");
            doc.line(&format!(
                "    {}: \"{}\"",
                upper(&vocab::snake_plain(rng)),
                yaml_value(rng).replace('"', "")
            ));
            doc.slot(Fmt::Yaml, "    ", Scope::Block);
        }
        doc.line("  only:\n    - main");
        doc.line("");
    }
}

fn compose(doc: &mut Doc, rng: &Rng) {
    doc.line("services:");
    while !doc.full() {
        let svc = rng
            .pick(&["app", "api", "worker", "db", "redis", "queue", "web", "proxy", "scheduler"])
            .to_string()
            + &rng.below(9).to_string();
        doc.line(&format!("  {svc}:"));
        doc.line(&format!(
            "    image: {}",
            rng.pick(&[
                "postgres:16",
                "redis:7",
                "rabbitmq:3-management",
                "nginx:1.25",
                "node:20-alpine",
                "python:3.12-slim"
            ])
        ));
        doc.line(&format!(
            "    ports:\n      - \"{0}:{0}\"",
            rng.pick(&[5432, 6379, 5672, 80, 3000, 8000])
        ));
        doc.line("    environment:");
        for _ in 0..rng.range(1, 5) {
            doc.line(&format!(
                "      {}: \"{}\"",
                upper(&vocab::snake_plain(rng)),
                yaml_value(rng).replace('"', "")
            ));
            doc.slot(Fmt::Yaml, "      ", Scope::Block);
        }
        if rng.chance(0.5) {
            doc.line("    depends_on:\n      - db");
        }
        doc.line("    restart: unless-stopped");
    }
}

fn openapi(doc: &mut Doc, rng: &Rng) {
    doc.line(&format!(
        "openapi: 3.0.3\ninfo:\n  title: {} API\n  version: {}.{}.0",
        pascal(vocab::noun(rng)),
        rng.range(1, 4),
        rng.range(0, 20)
    ));
    doc.line("components:\n  securitySchemes:\n    bearerAuth:\n      type: http\n      scheme: bearer\n      bearerFormat: JWT\n    apiKey:\n      type: apiKey\n      in: header\n      name: X-API-Key");
    doc.line("security:\n  - bearerAuth: []");
    doc.line("paths:");
    while !doc.full() {
        doc.line(&format!("  {}:", vocab::api_path(rng)));
        for m in ["get", "post", "delete"] {
            if rng.chance(0.5) {
                doc.line(&format!("    {m}:\n      summary: {}\n      operationId: {}\n      responses:\n        \"200\":\n          description: {}", vocab::phrase(rng).replace(':', ""), camel(&vocab::func_snake(rng)), vocab::sentence(rng, 5)));
                if rng.chance(0.3) {
                    doc.line("        \"401\":\n          description: Missing or invalid token");
                }
            }
        }
    }
}

/// A YAML file of a random kind; `name` hints the kind.
pub fn yaml(doc: &mut Doc, rng: &Rng, kind: &str) {
    match kind {
        "k8s" => {
            while !doc.full() {
                k8s(doc, rng);
            }
        }
        "actions" => gh_actions(doc, rng),
        "gitlab-ci" => gitlab_ci(doc, rng),
        "compose" => compose(doc, rng),
        "openapi" => openapi(doc, rng),
        _ => {
            while !doc.full() {
                let section = rng.pick(&[
                    "server", "database", "cache", "logging", "features", "auth", "storage",
                    "mail", "queue", "metrics",
                ]);
                doc.line(&format!("{section}:"));
                yaml_mapping(doc, rng, 2, 2);
                doc.slot(Fmt::Yaml, "", Scope::Top);
            }
        }
    }
    doc.flush(Fmt::Yaml, "", Scope::Top);
}

// ---------------------------------------------------------------------------------------
// JSON (tree + line-tracking writer)
// ---------------------------------------------------------------------------------------

/// A JSON value; `M` is a planted string value with its pending label index.
#[derive(Debug)]
pub enum J {
    /// Object.
    O(Vec<(String, J)>),
    /// Array.
    A(Vec<J>),
    /// String.
    S(String),
    /// Number or literal (written verbatim).
    N(String),
    /// Planted string: (value written, label index into the marks list).
    M(String, usize),
}

fn json_scalar(rng: &Rng) -> J {
    match rng.below(8) {
        0 | 1 => J::N(rng.range(0, 100_000).to_string()),
        2 => J::N(rng.pick(&["true", "false", "null"]).to_string()),
        3 => J::S(vocab::timestamp(rng)),
        4 => J::S(vocab::email(rng)),
        5 => J::S(vocab::uuid(rng)),
        6 => J::S(vocab::sentence(rng, rng.range(2, 8))),
        _ => J::S(kebab(&vocab::snake_plain(rng))),
    }
}

fn json_record(rng: &Rng) -> J {
    let mut o = vec![("id".to_string(), J::N(rng.range(1, 999_999).to_string()))];
    for _ in 0..rng.range(3, 9) {
        let k = camel(&vocab::snake_plain(rng));
        let v = if rng.chance(0.1) {
            J::A((0..rng.range(1, 4)).map(|_| J::S(vocab::noun(rng).to_string())).collect())
        } else {
            json_scalar(rng)
        };
        o.push((k, v));
    }
    J::O(o)
}

fn json_object(rng: &Rng, depth: usize) -> J {
    let mut o = Vec::new();
    for _ in 0..rng.range(2, 7) {
        let k =
            if rng.chance(0.5) { camel(&vocab::snake_plain(rng)) } else { vocab::snake_plain(rng) };
        let v = if depth > 0 && rng.chance(0.3) {
            json_object(rng, depth - 1)
        } else {
            json_scalar(rng)
        };
        o.push((k, v));
    }
    J::O(o)
}

/// Collects the index path of every object in the tree (to choose plant hosts).
fn object_paths(j: &J, path: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
    match j {
        J::O(o) => {
            out.push(path.clone());
            for (i, (_, v)) in o.iter().enumerate() {
                path.push(i);
                object_paths(v, path, out);
                path.pop();
            }
        }
        J::A(a) => {
            for (i, v) in a.iter().enumerate() {
                path.push(i);
                object_paths(v, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

/// The object at `path`.
fn object_at<'a>(j: &'a mut J, path: &[usize]) -> Option<&'a mut Vec<(String, J)>> {
    match (j, path.split_first()) {
        (J::O(o), None) => Some(o),
        (J::O(o), Some((&i, rest))) => object_at(&mut o.get_mut(i)?.1, rest),
        (J::A(a), Some((&i, rest))) => object_at(a.get_mut(i)?, rest),
        _ => None,
    }
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

/// Writes `j` pretty-printed (2 spaces), recording for each `M` the 1-based line.
fn write_json(
    doc: &mut Doc,
    j: &J,
    indent: usize,
    key: Option<&str>,
    last: bool,
    marks: &mut Vec<(usize, usize)>,
) {
    let pad = " ".repeat(indent);
    let k = key.map(|k| format!("{}: ", json_str(k))).unwrap_or_default();
    let comma = if last { "" } else { "," };
    match j {
        J::O(o) if o.is_empty() => doc.line(&format!("{pad}{k}{{}}{comma}")),
        J::A(a) if a.is_empty() => doc.line(&format!("{pad}{k}[]{comma}")),
        J::O(o) => {
            doc.line(&format!("{pad}{k}{{"));
            for (i, (kk, v)) in o.iter().enumerate() {
                write_json(doc, v, indent + 2, Some(kk), i + 1 == o.len(), marks);
            }
            doc.line(&format!("{pad}}}{comma}"));
        }
        J::A(a) => {
            doc.line(&format!("{pad}{k}["));
            for (i, v) in a.iter().enumerate() {
                write_json(doc, v, indent + 2, None, i + 1 == a.len(), marks);
            }
            doc.line(&format!("{pad}]{comma}"));
        }
        J::S(s) => doc.line(&format!("{pad}{k}{}{comma}", json_str(s))),
        J::N(n) => doc.line(&format!("{pad}{k}{n}{comma}")),
        J::M(s, idx) => {
            marks.push((*idx, doc.next_line()));
            doc.line(&format!("{pad}{k}{}{comma}", json_str(s)));
        }
    }
}

/// Inserts the pending plants of `doc` into random objects of `root` and writes it.
fn plant_and_write_json(doc: &mut Doc, rng: &Rng, mut root: J) {
    let plants = doc.take_plants();
    let mut pending = Vec::new();
    if !plants.is_empty() && !matches!(root, J::O(_)) {
        root = J::O(vec![("data".into(), root)]);
    }
    for p in &plants {
        // Recomputed per plant: inserting entries shifts the indices of their siblings.
        let mut paths = Vec::new();
        object_paths(&root, &mut Vec::new(), &mut paths);
        let path = paths[rng.below(paths.len())].clone();
        let pairs = plants::json_pairs(rng, p);
        let mut entries = Vec::new();
        for (key, val, item, label_value) in pairs {
            let idx = pending.len();
            pending.push((p.items[item].family, p.items[item].positive, label_value));
            entries.push((key, J::M(val, idx)));
        }
        if let Some(obj) = object_at(&mut root, &path) {
            let at = rng.below(obj.len() + 1);
            for (i, e) in entries.into_iter().enumerate() {
                obj.insert(at + i, e);
            }
        }
    }
    let mut marks = Vec::new();
    write_json(doc, &root, 0, None, true, &mut marks);
    for (idx, line) in marks {
        let (family, positive, value) = &pending[idx];
        doc.mark(line, family, *positive, value.clone());
    }
}

/// A JSON file of a kind.
pub fn json(doc: &mut Doc, rng: &Rng, kind: &str) {
    let target = doc.target();
    let root = match kind {
        "package" => {
            let deps = |rng: &Rng| {
                J::O(
                    (0..rng.range(3, 25))
                        .map(|_| {
                            (
                                rng.pick(vocab::NPM_PACKAGES).to_string(),
                                J::S(format!(
                                    "^{}.{}.{}",
                                    rng.range(0, 20),
                                    rng.range(0, 30),
                                    rng.range(0, 20)
                                )),
                            )
                        })
                        .collect(),
                )
            };
            J::O(vec![
                (
                    "name".into(),
                    J::S(format!(
                        "@{}/{}",
                        rng.pick(vocab::BRANDS),
                        kebab(&vocab::snake_plain(rng))
                    )),
                ),
                (
                    "version".into(),
                    J::S(format!("{}.{}.{}", rng.range(0, 5), rng.range(0, 30), rng.range(0, 20))),
                ),
                ("private".into(), J::N("true".into())),
                (
                    "scripts".into(),
                    J::O(vec![
                        ("build".into(), J::S("tsc -p . && vite build".into())),
                        ("test".into(), J::S("vitest run".into())),
                        ("lint".into(), J::S("eslint . --ext .ts,.tsx".into())),
                        ("start".into(), J::S("node dist/index.js".into())),
                    ]),
                ),
                ("dependencies".into(), deps(rng)),
                ("devDependencies".into(), deps(rng)),
            ])
        }
        "launch" => {
            let mut cfgs = Vec::new();
            for _ in 0..rng.range(1, 4) {
                cfgs.push(J::O(vec![
                    ("type".into(), J::S(rng.pick(&["node", "python", "go", "java"]).to_string())),
                    ("request".into(), J::S("launch".into())),
                    ("name".into(), J::S(format!("Debug {}", vocab::noun(rng)))),
                    (
                        "program".into(),
                        J::S(format!("${{workspaceFolder}}/src/{}.js", vocab::snake_plain(rng))),
                    ),
                    (
                        "env".into(),
                        J::O(vec![
                            ("NODE_ENV".into(), J::S("development".into())),
                            ("LOG_LEVEL".into(), J::S("debug".into())),
                        ]),
                    ),
                ]));
            }
            J::O(vec![
                ("version".into(), J::S("0.2.0".into())),
                ("configurations".into(), J::A(cfgs)),
            ])
        }
        "fixture" => {
            let mut rows = Vec::new();
            let mut size = 0;
            while size < target {
                let r = json_record(rng);
                size += 160;
                rows.push(r);
            }
            J::A(rows)
        }
        _ => {
            let mut o = Vec::new();
            let mut size = 0;
            while size < target.max(200) {
                o.push((camel(&vocab::snake_plain(rng)), json_object(rng, 2)));
                size += 400;
            }
            J::O(o)
        }
    };
    plant_and_write_json(doc, rng, root);
}

// ---------------------------------------------------------------------------------------
// Notebook
// ---------------------------------------------------------------------------------------

/// A Jupyter notebook (nbformat 4), with code, markdown and output cells (incl. PNG images).
pub fn notebook(doc: &mut Doc, rng: &Rng) {
    let target = doc.target();
    let mut plants = doc.take_plants();
    rng.shuffle(&mut plants);
    let mut cells: Vec<Vec<String>> = Vec::new(); // each cell: JSON lines (without trailing comma)
    let mut cell_marks: Vec<Vec<(usize, &'static str, bool, String)>> = Vec::new();
    let mut size = 0usize;
    let mut count = 1;
    let mut plant_iter = plants.into_iter();
    let plant_every = 1 + rng.below(4);
    while size < target || cells.len() < 2 {
        let mut lines = Vec::new();
        let mut marks = Vec::new();
        let md = rng.chance(0.3);
        let mut src: Vec<String> = Vec::new();
        let mut src_labels: Vec<(usize, &'static str, bool, String)> = Vec::new();
        if md {
            src.push(format!("## {}", vocab::sentence(rng, rng.range(2, 6)).trim_end_matches('.')));
            src.push(String::new());
            src.push(vocab::sentence(rng, rng.range(8, 25)));
        } else {
            if cells.len() % plant_every == 0 {
                if let Some(p) = plant_iter.next() {
                    if p.items.iter().any(|i| matches!(i.form, Form::Pem)) || rng.chance(0.5) {
                        src.push("import os".into());
                    }
                    let r = plants::render(rng, &p, Fmt::Notebook, "", Scope::Top);
                    let base = src.len();
                    for (li, idx, v) in r.labels {
                        src_labels.push((base + li, p.items[idx].family, p.items[idx].positive, v));
                    }
                    src.extend(r.lines);
                }
            }
            let stmts = [
                "{v} = pd.read_csv(\"data/{N}.csv\")",
                "{v}.head()",
                "{v}.describe()",
                "{v} = {v2}.groupby(\"{k}\").agg({{\"{k2}\": \"mean\"}})",
                "plt.figure(figsize=({n}, 6))\nplt.plot({v}[\"{k}\"], {v}[\"{k2}\"])\nplt.show()",
                "model.fit(X_train, y_train)",
                "{v} = model.predict(X_test)",
                "print(f\"accuracy: {{accuracy_score(y_test, {v}):.3f}}\")",
                "import pandas as pd\nimport numpy as np\nimport matplotlib.pyplot as plt",
            ];
            for _ in 0..rng.range(1, 4) {
                let s = *rng.pick(&stmts);
                for l in super::code::fill_snake(rng, s).lines() {
                    src.push(l.to_string());
                }
            }
        }
        lines.push("  {".to_string());
        lines.push(format!("   \"cell_type\": \"{}\",", if md { "markdown" } else { "code" }));
        if !md {
            lines.push(format!("   \"execution_count\": {count},"));
            count += 1;
        }
        lines.push(format!("   \"id\": \"{}\",", vocab::hex(rng, 4)));
        lines.push("   \"metadata\": {},".to_string());
        if !md {
            lines.push("   \"outputs\": [".to_string());
            match rng.below(3) {
                0 => {
                    lines.push("    {".into());
                    lines.push("     \"name\": \"stdout\",".into());
                    lines.push("     \"output_type\": \"stream\",".into());
                    lines.push(format!(
                        "     \"text\": [{}]",
                        json_str(&format!("{}\n", vocab::sentence(rng, 6)))
                    ));
                    lines.push("    }".into());
                }
                1 => {
                    lines.push("    {".into());
                    lines.push("     \"data\": {".into());
                    let png = t::b64(rng, rng.range(2_000, 30_000));
                    lines.push(format!("      \"image/png\": \"iVBORw0KGgoAAAANSUhEUgAA{png}\","));
                    lines.push(
                        "      \"text/plain\": [\"<Figure size 640x480 with 1 Axes>\"]".into(),
                    );
                    lines.push("     },".into());
                    lines.push("     \"metadata\": {},".into());
                    lines.push("     \"output_type\": \"display_data\"".into());
                    lines.push("    }".into());
                }
                _ => {}
            }
            lines.push("   ],".to_string());
        }
        lines.push("   \"source\": [".to_string());
        let n = src.len();
        for (i, s) in src.iter().enumerate() {
            if let Some(l) = src_labels.iter().find(|l| l.0 == i) {
                marks.push((lines.len(), l.1, l.2, l.3.clone()));
            }
            let text = if i + 1 < n { format!("{s}\n") } else { s.clone() };
            lines.push(format!("    {}{}", json_str(&text), if i + 1 < n { "," } else { "" }));
        }
        lines.push("   ]".to_string());
        lines.push("  }".to_string());
        size += lines.iter().map(|l| l.len() + 1).sum::<usize>();
        cells.push(lines);
        cell_marks.push(marks);
    }
    // Leftover plants (more plants than code cells): add a cell each.
    let leftovers: Vec<Plant> = plant_iter.collect();
    doc.line("{");
    doc.line(" \"cells\": [");
    let ncells = cells.len();
    for (ci, (lines, marks)) in cells.iter().zip(&cell_marks).enumerate() {
        let base = doc.next_line();
        for (li, l) in lines.iter().enumerate() {
            if li + 1 == lines.len() && (ci + 1 < ncells || !leftovers.is_empty()) {
                doc.line(&format!("{l},"));
            } else {
                doc.line(l);
            }
        }
        for (li, fam, pos, v) in marks {
            doc.mark(base + li, fam, *pos, v.clone());
        }
    }
    let nl = leftovers.len();
    for (i, p) in leftovers.iter().enumerate() {
        let r = plants::render(rng, p, Fmt::Notebook, "", Scope::Top);
        doc.line("  {");
        doc.line("   \"cell_type\": \"code\",");
        doc.line("   \"execution_count\": null,");
        doc.line("   \"metadata\": {},");
        doc.line("   \"outputs\": [],");
        doc.line("   \"source\": [");
        let n = r.lines.len();
        for (li, l) in r.lines.iter().enumerate() {
            for (lab, idx, v) in &r.labels {
                if *lab == li {
                    doc.mark(
                        doc.next_line(),
                        p.items[*idx].family,
                        p.items[*idx].positive,
                        v.clone(),
                    );
                }
            }
            let text = if li + 1 < n { format!("{l}\n") } else { l.clone() };
            doc.line(&format!("    {}{}", json_str(&text), if li + 1 < n { "," } else { "" }));
        }
        doc.line("   ]");
        doc.line(if i + 1 < nl { "  }," } else { "  }" });
    }
    doc.line(" ],");
    doc.line(" \"metadata\": {");
    doc.line("  \"kernelspec\": {\"display_name\": \"Python 3\", \"language\": \"python\", \"name\": \"python3\"},");
    doc.line("  \"language_info\": {\"name\": \"python\", \"version\": \"3.11.6\"}");
    doc.line(" },");
    doc.line(" \"nbformat\": 4,");
    doc.line(" \"nbformat_minor\": 5");
    doc.line("}");
}

// ---------------------------------------------------------------------------------------
// TOML, INI, .env, Dockerfile, Terraform, XML
// ---------------------------------------------------------------------------------------

/// A TOML file (`Cargo.toml`, `pyproject.toml` or an app config).
pub fn toml(doc: &mut Doc, rng: &Rng, kind: &str) {
    match kind {
        "cargo" => {
            doc.line(&format!(
                "[package]\nname = \"{}\"\nversion = \"0.{}.{}\"\nedition = \"2021\"",
                kebab(&vocab::snake_plain(rng)),
                rng.range(1, 30),
                rng.range(0, 9)
            ));
            doc.line("");
            doc.line("[dependencies]");
            for _ in 0..rng.range(3, 15) {
                doc.line(&format!(
                    "{} = \"{}.{}\"",
                    rng.pick(vocab::CRATES),
                    rng.range(0, 2),
                    rng.range(0, 40)
                ));
            }
        }
        "pyproject" => {
            doc.line(&format!("[project]\nname = \"{}\"\nversion = \"{}.{}.0\"\nrequires-python = \">=3.10\"\ndependencies = [", kebab(&vocab::snake_plain(rng)), rng.range(0, 3), rng.range(0, 20)));
            for _ in 0..rng.range(3, 12) {
                doc.line(&format!(
                    "    \"{}>={}.{}\",",
                    rng.pick(vocab::PY_PACKAGES),
                    rng.range(0, 5),
                    rng.range(0, 30)
                ));
            }
            doc.line("]\n\n[tool.ruff]\nline-length = 100\n\n[tool.pytest.ini_options]\naddopts = \"-q\"");
        }
        _ => {}
    }
    while !doc.full() {
        doc.line("");
        doc.line(&format!("[{}]", vocab::snake_plain(rng)));
        for _ in 0..rng.range(2, 7) {
            let v = match rng.below(4) {
                0 => rng.range(0, 10_000).to_string(),
                1 => rng.pick(&["true", "false"]).to_string(),
                _ => format!("\"{}\"", kebab(&vocab::snake_plain(rng))),
            };
            doc.line(&format!("{} = {v}", vocab::snake_plain(rng)));
            doc.slot(Fmt::Toml, "", Scope::Block);
        }
    }
    doc.flush(Fmt::Toml, "", Scope::Block);
}

/// INI-like files: `.npmrc`, `.pypirc`, AWS `credentials`, `setup.cfg`, `.properties`.
pub fn ini(doc: &mut Doc, rng: &Rng, kind: &str) {
    match kind {
        "npmrc" => {
            doc.line("registry=https://registry.npmjs.org/");
            doc.line(&format!("@{}:registry=https://npm.pkg.github.com", rng.pick(vocab::BRANDS)));
            for p in doc.take_plants() {
                for it in &p.items {
                    let line = doc.next_line();
                    doc.mark(line, it.family, it.positive, it.value.clone());
                    doc.line(&format!("//registry.npmjs.org/:_authToken={}", it.value));
                }
            }
            doc.line("save-exact=true");
            return;
        }
        "pypirc" => {
            doc.line("[distutils]\nindex-servers =\n    pypi\n    testpypi\n\n[pypi]\nusername = __token__");
            for p in doc.take_plants() {
                for it in &p.items {
                    let line = doc.next_line();
                    doc.mark(line, it.family, it.positive, it.value.clone());
                    doc.line(&format!("password = {}", it.value));
                }
            }
            doc.line(
                "\n[testpypi]\nrepository = https://test.pypi.org/legacy/\nusername = __token__",
            );
            return;
        }
        "credentials" => {
            let mut first = true;
            for p in doc.take_plants() {
                doc.line(if first { "[default]" } else { "[profile-ci]" });
                first = false;
                for it in &p.items {
                    let line = doc.next_line();
                    doc.mark(line, it.family, it.positive, it.value.clone());
                    doc.line(&format!("{} = {}", it.name, it.value));
                }
                doc.line(&format!(
                    "region = {}",
                    rng.pick(&["us-east-1", "eu-west-1", "us-west-2"])
                ));
                doc.line("");
            }
            return;
        }
        _ => {}
    }
    let props = kind == "properties";
    while !doc.full() {
        if !props {
            doc.line(&format!("[{}]", vocab::snake_plain(rng).replace('_', ":")));
        } else {
            doc.line(&format!("# {}", vocab::phrase(rng)));
        }
        for _ in 0..rng.range(2, 8) {
            let k = if props {
                format!(
                    "{}.{}",
                    rng.pick(&["spring", "app", "server", "logging", "management"]),
                    vocab::snake_plain(rng).replace('_', ".")
                )
            } else {
                vocab::snake_plain(rng)
            };
            let v = match rng.below(3) {
                0 => rng.range(0, 9999).to_string(),
                1 => kebab(&vocab::snake_plain(rng)),
                _ => rng.pick(&["true", "false", "INFO", "DEBUG", "utf-8"]).to_string(),
            };
            doc.line(&format!("{k}{}{v}", if props { "=" } else { " = " }));
            doc.slot(Fmt::Ini, "", Scope::Block);
        }
        doc.line("");
    }
    doc.flush(Fmt::Ini, "", Scope::Block);
}

/// A `.env` file.
pub fn env(doc: &mut Doc, rng: &Rng) {
    let fixed = [
        "NODE_ENV=development",
        "PORT=3000",
        "LOG_LEVEL=debug",
        "APP_URL=http://localhost:3000",
        "TZ=UTC",
        "DB_HOST=localhost",
        "DB_PORT=5432",
        "DB_NAME=app",
        "DB_USER=app",
        "REDIS_HOST=127.0.0.1",
        "FEATURE_NEW_CHECKOUT=false",
        "SENTRY_ENVIRONMENT=development",
        "AWS_REGION=us-east-1",
        "S3_BUCKET=uploads-dev",
        "SMTP_HOST=smtp.mailtrap.io",
        "SMTP_PORT=2525",
    ];
    doc.line(&format!("# {}", vocab::phrase(rng)));
    while !doc.full() {
        if rng.chance(0.7) {
            doc.line(rng.pick_str(&fixed));
        } else {
            doc.line(&format!(
                "{}={}",
                upper(&vocab::snake_plain(rng)),
                kebab(&vocab::snake_plain(rng))
            ));
        }
        doc.slot(Fmt::Env, "", Scope::Top);
        if rng.chance(0.1) {
            doc.line("");
            doc.line(&format!("# {}", vocab::phrase(rng)));
        }
    }
    doc.flush(Fmt::Env, "", Scope::Top);
}

/// A Dockerfile.
pub fn dockerfile(doc: &mut Doc, rng: &Rng) {
    let base = rng.pick(&[
        "python:3.12-slim",
        "node:20-alpine",
        "golang:1.22 AS build",
        "eclipse-temurin:21-jre",
        "rust:1.80 AS builder",
        "ubuntu:22.04",
    ]);
    doc.line(&format!("FROM {base}"));
    doc.line("WORKDIR /app");
    doc.slot(Fmt::Dockerfile, "", Scope::Top);
    while !doc.full() {
        let l = match rng.below(8) {
            0 => "COPY . .".to_string(),
            1 => format!("RUN apt-get update && apt-get install -y --no-install-recommends {} && rm -rf /var/lib/apt/lists/*", rng.pick(&["curl", "ca-certificates", "git", "build-essential", "libpq-dev"])),
            2 => format!("ENV {}={}", upper(&vocab::snake_plain(rng)), kebab(&vocab::snake_plain(rng))),
            3 => format!("RUN {}", rng.pick(&["pip install --no-cache-dir -r requirements.txt", "npm ci --omit=dev", "go build -o /bin/app ./cmd/app", "cargo build --release"])),
            4 => format!("EXPOSE {}", rng.pick(&[80, 8080, 3000, 8000])),
            5 => format!("# {}", vocab::phrase(rng)),
            6 => "RUN --mount=type=secret,id=npm_token NPM_TOKEN=$(cat /run/secrets/npm_token) npm ci".to_string(),
            _ => format!("LABEL org.opencontainers.image.source=\"https://github.com/{}/{}\"", rng.pick(vocab::BRANDS), kebab(&vocab::snake_plain(rng))),
        };
        doc.line(&l);
        doc.slot(Fmt::Dockerfile, "", Scope::Top);
    }
    doc.flush(Fmt::Dockerfile, "", Scope::Top);
    doc.line(&format!("CMD [\"{}\"]", rng.pick(&["python", "node", "/bin/app", "java"])));
}

/// A Terraform file.
pub fn terraform(doc: &mut Doc, rng: &Rng) {
    doc.line("terraform {\n  required_providers {\n    aws = {\n      source  = \"hashicorp/aws\"\n      version = \"~> 5.0\"\n    }\n  }\n}");
    doc.line("");
    while !doc.full() {
        match rng.below(4) {
            0 => {
                let n = vocab::snake_plain(rng);
                doc.line(&format!("variable \"{n}\" {{\n  type        = string\n  description = \"{}\"\n  default     = \"{}\"\n}}", vocab::phrase(rng).replace('"', ""), kebab(&vocab::snake_plain(rng))));
            }
            1 => {
                doc.line("locals {");
                for _ in 0..rng.range(2, 5) {
                    doc.line(&format!(
                        "  {} = \"{}\"",
                        vocab::snake_plain(rng),
                        kebab(&vocab::snake_plain(rng))
                    ));
                    doc.slot(Fmt::Terraform, "  ", Scope::Block);
                }
                doc.line("}");
            }
            2 => {
                doc.line(&format!(
                    "resource \"{}\" \"{}\" {{",
                    rng.pick(&[
                        "aws_s3_bucket",
                        "aws_instance",
                        "aws_db_instance",
                        "aws_lambda_function",
                        "google_storage_bucket",
                        "kubernetes_secret"
                    ]),
                    vocab::snake_plain(rng)
                ));
                for _ in 0..rng.range(2, 6) {
                    doc.line(&format!(
                        "  {} = \"{}\"",
                        vocab::snake_plain(rng),
                        kebab(&vocab::snake_plain(rng))
                    ));
                    doc.slot(Fmt::Terraform, "  ", Scope::Block);
                }
                doc.line(&format!(
                    "  tags = {{\n    Name = \"{}\"\n    Env  = \"{}\"\n  }}",
                    kebab(&vocab::snake_plain(rng)),
                    rng.pick(&["prod", "staging", "dev"])
                ));
                doc.line("}");
            }
            _ => {
                doc.line(&format!(
                    "output \"{}\" {{\n  value = {}.{}.{}\n}}",
                    vocab::snake_plain(rng),
                    rng.pick(&["aws_s3_bucket", "aws_instance", "module"]),
                    vocab::snake_plain(rng),
                    rng.pick(&["arn", "id", "endpoint"])
                ));
            }
        }
        doc.line("");
    }
    if doc.has_pending() {
        doc.line("locals {");
        doc.flush(Fmt::Terraform, "  ", Scope::Block);
        doc.line("}");
    }
}

/// An XML file (Maven POM / app.config style).
pub fn xml(doc: &mut Doc, rng: &Rng) {
    doc.line("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    doc.line("<configuration>");
    while !doc.full() {
        let sect = camel(&vocab::snake_plain(rng));
        doc.line(&format!("  <{sect}>"));
        for _ in 0..rng.range(2, 7) {
            let k = camel(&vocab::snake_plain(rng));
            doc.line(&format!("    <{k}>{}</{k}>", kebab(&vocab::snake_plain(rng))));
            doc.slot(Fmt::Xml, "    ", Scope::Block);
        }
        doc.line(&format!("  </{sect}>"));
    }
    if doc.has_pending() {
        doc.line("  <secrets>");
        doc.flush(Fmt::Xml, "    ", Scope::Block);
        doc.line("  </secrets>");
    }
    doc.line("</configuration>");
}

// ---------------------------------------------------------------------------------------
// Markdown, HTML, CSS
// ---------------------------------------------------------------------------------------

/// A Markdown document.
pub fn markdown(doc: &mut Doc, rng: &Rng) {
    doc.line(&format!(
        "# {}",
        pascal(vocab::noun(rng))
            + " "
            + vocab::sentence(rng, rng.range(1, 4)).trim_end_matches('.')
    ));
    doc.line("");
    while !doc.full() {
        match rng.below(9) {
            0 => doc.line(&format!(
                "## {}",
                vocab::sentence(rng, rng.range(2, 5)).trim_end_matches('.')
            )),
            1..=3 => {
                let mut p = String::new();
                for _ in 0..rng.range(2, 6) {
                    p.push_str(&vocab::sentence(rng, rng.range(6, 20)));
                    p.push(' ');
                }
                if rng.chance(0.3) {
                    p.push_str(&format!("See [{}]({}).", vocab::noun(rng), vocab::url(rng)));
                }
                doc.line(p.trim_end());
            }
            4 => {
                for _ in 0..rng.range(2, 6) {
                    doc.line(&format!("- {}", vocab::sentence(rng, rng.range(3, 12))));
                }
            }
            5 => {
                doc.line(&format!(
                    "```{}",
                    rng.pick(&["bash", "sh", "yaml", "python", "json", "console"])
                ));
                for _ in 0..rng.range(1, 6) {
                    let l = if rng.chance(0.08) {
                        rng.pick_str(&[
                            "export GITHUB_TOKEN=<your token>",
                            "curl -H \"Authorization: Bearer $TOKEN\" https://api.example.com/v1/users",
                            "kubectl create secret generic app --from-literal=password=$DB_PASSWORD",
                            "gh auth login --with-token < token.txt",
                        ])
                    } else {
                        rng.pick_str(&[
                            "npm install",
                            "make build",
                            "docker compose up -d",
                            "pip install -e .",
                            "cargo run --release",
                            "go test ./...",
                            "aws configure --profile dev",
                            "psql \"$DATABASE_URL\" -f schema.sql",
                            "git clone https://github.com/acme/app.git",
                            "make test",
                            "npm run dev",
                            "docker build -t app .",
                            "kubectl get pods -n app",
                            "python -m app.main",
                            "terraform plan",
                        ])
                    };
                    doc.line(l);
                }
                doc.line("```");
            }
            6 => {
                doc.line(&format!(
                    "| {} | {} | {} |",
                    pascal(vocab::noun(rng)),
                    pascal(vocab::noun(rng)),
                    "Description"
                ));
                doc.line("|---|---|---|");
                for _ in 0..rng.range(2, 8) {
                    doc.line(&format!(
                        "| `{}` | `{}` | {} |",
                        upper(&vocab::snake_plain(rng)),
                        rng.pick(&["string", "int", "bool", "-"]),
                        vocab::sentence(rng, rng.range(3, 9))
                    ));
                }
            }
            7 => doc.line(&format!(
                "![{}](images/{}.png)",
                vocab::noun(rng),
                kebab(&vocab::snake_plain(rng))
            )),
            _ => doc.line(&format!("> **Note:** {}", vocab::sentence(rng, rng.range(6, 16)))),
        }
        doc.line("");
        doc.slot(Fmt::Markdown, "", Scope::Top);
    }
    doc.flush(Fmt::Markdown, "", Scope::Top);
}

/// An HTML page or template.
pub fn html(doc: &mut Doc, rng: &Rng) {
    let plants = doc.take_plants();
    doc.line("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n  <meta charset=\"utf-8\">");
    doc.line(&format!("  <title>{}</title>", pascal(vocab::noun(rng))));
    doc.line(&format!(
        "  <link rel=\"stylesheet\" href=\"/static/css/{}.css\">",
        vocab::snake_plain(rng)
    ));
    doc.line("</head>\n<body>");
    let mut pi = plants.into_iter();
    while !doc.full() {
        match rng.below(5) {
            0 if rng.chance(0.03) => doc.line("  <form action=\"/login\" method=\"post\">\n    <label for=\"username\">Username</label>\n    <input type=\"text\" id=\"username\" name=\"username\">\n    <label for=\"password\">Password</label>\n    <input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\">\n    <input type=\"hidden\" name=\"csrf_token\" value=\"{{ csrf_token() }}\">\n    <button type=\"submit\">Sign in</button>\n  </form>"),
            1 => doc.line(&format!("  <nav class=\"{}\">\n    <a href=\"/{}\">{}</a>\n    <a href=\"/{}\">{}</a>\n  </nav>", kebab(&vocab::snake_plain(rng)), vocab::noun(rng), pascal(vocab::noun(rng)), vocab::noun(rng), pascal(vocab::noun(rng)))),
            2 => doc.line(&format!("  <section id=\"{}\">\n    <h2>{}</h2>\n    <p>{}</p>\n  </section>", kebab(&vocab::snake_plain(rng)), vocab::sentence(rng, 4), vocab::sentence(rng, rng.range(10, 40)))),
            3 => doc.line(&format!("  <div class=\"{} {}\" data-{}=\"{}\"></div>", kebab(&vocab::snake_plain(rng)), kebab(&vocab::snake_plain(rng)), vocab::noun(rng), rng.range(1, 999))),
            _ => {
                if let Some(p) = pi.next() {
                    for it in &p.items {
                        let (l, v) = plants::html_line(rng, it, "  ");
                        doc.mark(doc.next_line(), it.family, it.positive, v);
                        doc.line(&l);
                    }
                } else {
                    doc.line(&format!("  <img src=\"/static/img/{}.png\" alt=\"{}\">", vocab::snake_plain(rng), vocab::noun(rng)));
                }
            }
        }
    }
    for p in pi {
        for it in &p.items {
            let (l, v) = plants::html_line(rng, it, "  ");
            doc.mark(doc.next_line(), it.family, it.positive, v);
            doc.line(&l);
        }
    }
    doc.line("  <script src=\"/static/js/main.js\"></script>\n</body>\n</html>");
}

/// A stylesheet; plants are only image data URIs.
pub fn css(doc: &mut Doc, rng: &Rng) {
    let plants = doc.take_plants();
    let mut pi = plants.into_iter();
    while !doc.full() {
        doc.line(&format!(".{}-{} {{", kebab(&vocab::snake_plain(rng)), vocab::noun(rng)));
        for _ in 0..rng.range(2, 7) {
            let l = match rng.below(6) {
                0 => format!("  color: #{};", vocab::hex(rng, 3)),
                1 => format!("  margin: {}px {}px;", rng.range(0, 32), rng.range(0, 32)),
                2 => format!(
                    "  font-family: \"{}\", sans-serif;",
                    rng.pick(&["Inter", "Roboto", "Helvetica Neue", "Source Sans Pro"])
                ),
                3 => format!(
                    "  display: {};",
                    rng.pick(&["flex", "grid", "block", "none", "inline-block"])
                ),
                4 => format!(
                    "  transition: {} {}ms ease-in-out;",
                    rng.pick(&["opacity", "transform", "all"]),
                    rng.range(1, 6) * 50
                ),
                _ => format!("  border-radius: {}px;", rng.range(0, 16)),
            };
            doc.line(&l);
        }
        if rng.chance(0.1) {
            if let Some(p) = pi.next() {
                for it in &p.items {
                    doc.mark(doc.next_line(), it.family, it.positive, it.value.clone());
                    doc.line(&format!("  background-image: url(\"{}\");", it.value));
                }
            }
        }
        doc.line("}");
        doc.line("");
    }
    for p in pi {
        doc.line(".icon-fallback {");
        for it in &p.items {
            doc.mark(doc.next_line(), it.family, it.positive, it.value.clone());
            doc.line(&format!("  background-image: url(\"{}\");", it.value));
        }
        doc.line("}");
    }
}

// ---------------------------------------------------------------------------------------
// Minified bundles
// ---------------------------------------------------------------------------------------

fn minified_chunk(rng: &Rng, bytes: usize, out: &mut String) {
    const V: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_$";
    let start = out.len();
    while out.len() - start < bytes {
        let a = rng.string(V, 1);
        let b = rng.string(V, rng.range(1, 2));
        let piece = match rng.below(14) {
            0 => format!(
                "function {a}({b},t,n){{\"use strict\";var r=n({}),o=n.n(r);",
                rng.range(1, 9999)
            ),
            1 => format!(
                "{a}.prototype.{}=function({b}){{return this.{}({b})}};",
                camel(&vocab::func_snake(rng)),
                camel(&vocab::func_snake(rng))
            ),
            2 => format!("var {a}={b}.{}||{{}};", camel(vocab::noun(rng))),
            3 => format!("if(!{a})throw new Error(\"{}\");", vocab::phrase(rng).replace('"', "")),
            4 => format!("{a}[\"{}\"]={};", camel(&vocab::snake_plain(rng)), rng.range(0, 99999)),
            5 => format!("return {a}&&{b}.{}?{a}:{b};}}", camel(vocab::noun(rng))),
            6 => format!(
                "{a}=Object.assign({{}},{b},{{{}:!0,{}:\"{}\"}});",
                camel(vocab::plain_noun(rng)),
                camel(vocab::plain_noun(rng)),
                kebab(&vocab::snake_plain(rng))
            ),
            7 if rng.chance(0.05) => format!(
                "fetch(\"{}\",{{headers:{{Authorization:\"Bearer \"+{a}.token}}}}).then(function({b}){{return {b}.json()}});",
                vocab::api_path(rng)
            ),
            7 => format!(
                "fetch(\"{}\",{{method:\"GET\"}}).then(function({b}){{return {b}.json()}});",
                vocab::api_path(rng)
            ),
            8 => format!(
                "{a}.exports={{{}:{b},{}:{}}};",
                camel(&vocab::func_snake(rng)),
                camel(&vocab::func_snake(rng)),
                rng.string(V, 1)
            ),
            9 => format!(
                "\"{}\"===typeof {a}&&({b}={a}.split(\",\"));",
                rng.pick(&["string", "object", "function", "undefined"])
            ),
            10 => format!(
                "for(var {a}=0;{a}<{b}.length;{a}++){b}[{a}]=({b}[{a}]<<{})^{};",
                rng.range(1, 8),
                rng.range(0, 255)
            ),
            11 => format!(
                "{a}.{}=\"{}\";",
                camel(vocab::plain_noun(rng)),
                rng.string(ALNUM, rng.range(4, 12))
            ),
            12 => format!(
                "case {}:return {a}.{}({b});",
                rng.range(0, 64),
                camel(&vocab::func_snake(rng))
            ),
            _ => {
                format!("{a}.setItem(\"{}\",JSON.stringify({b}));", camel(&vocab::snake_plain(rng)))
            }
        };
        out.push_str(&piece);
    }
}

/// A minified JavaScript bundle: a banner, then one long line per module chunk.
pub fn minjs(doc: &mut Doc, rng: &Rng) {
    let target = doc.target();
    let mut plants = doc.take_plants().into_iter();
    doc.line(&format!(
        "/*! {} v{}.{}.{} | (c) {} | MIT License */",
        rng.pick(vocab::NPM_PACKAGES),
        rng.range(1, 9),
        rng.range(0, 20),
        rng.range(0, 9),
        rng.pick(vocab::BRANDS)
    ));
    let mut line = String::new();
    while doc.len() < target || line.is_empty() {
        line.clear();
        let chunk = rng.range(2_000, 200_000).min(target.saturating_sub(doc.len()).max(2_000));
        line.push_str(&format!(
            "(self.webpackChunk=self.webpackChunk||[]).push([[{}],{{{}:function(e,t,n){{",
            rng.range(1, 999),
            rng.range(1, 99999)
        ));
        let cut = rng.below(chunk.max(1));
        minified_chunk(rng, cut, &mut line);
        if let Some(p) = plants.next() {
            let frags: Vec<(String, String)> =
                p.items.iter().map(|it| plants::minjs_fragment(rng, it)).collect();
            line.push_str("var __cfg={");
            line.push_str(&frags.iter().map(|f| f.0.clone()).collect::<Vec<_>>().join(","));
            line.push_str("};");
            let ln = doc.next_line();
            for (it, f) in p.items.iter().zip(&frags) {
                doc.mark(ln, it.family, it.positive, f.1.clone());
            }
        }
        minified_chunk(rng, chunk - cut, &mut line);
        line.push_str("}}]);");
        doc.line(&line);
    }
    for p in plants {
        let frags: Vec<(String, String)> =
            p.items.iter().map(|it| plants::minjs_fragment(rng, it)).collect();
        let ln = doc.next_line();
        for (it, f) in p.items.iter().zip(&frags) {
            doc.mark(ln, it.family, it.positive, f.1.clone());
        }
        doc.line(&format!(
            "window.__APP_CONFIG__={{{}}};",
            frags.iter().map(|f| f.0.clone()).collect::<Vec<_>>().join(",")
        ));
    }
    doc.line(&format!(
        "//# sourceMappingURL={}.{}.js.map",
        rng.pick(&["main", "vendor", "app", "runtime"]),
        vocab::hex(rng, 4)
    ));
}

// ---------------------------------------------------------------------------------------
// CSV, logs
// ---------------------------------------------------------------------------------------

/// A CSV data file.
pub fn csv(doc: &mut Doc, rng: &Rng) {
    let kind = rng.below(3);
    match kind {
        0 => doc.line("id,first_name,last_name,email,city,country,signup_date,plan,monthly_spend"),
        1 => doc.line("timestamp,sensor_id,temperature,humidity,pressure,battery,status"),
        _ => doc.line("order_id,customer_id,sku,quantity,unit_price,currency,created_at,status"),
    }
    let mut id = rng.range(1, 1000);
    while !doc.full() {
        id += 1;
        let row = match kind {
            0 => format!(
                "{id},{},{},{},{},{},{},{},{:.2}",
                rng.pick(vocab::FIRST_NAMES),
                rng.pick(vocab::LAST_NAMES),
                vocab::email(rng),
                rng.pick(vocab::CITIES),
                rng.pick(vocab::COUNTRIES),
                vocab::date(rng),
                rng.pick(&["free", "pro", "team", "enterprise"]),
                rng.unit() * 500.0
            ),
            1 => format!(
                "{},{},{:.2},{:.1},{:.1},{},{}",
                vocab::timestamp(rng),
                rng.string(HEX, 8),
                15.0 + rng.unit() * 20.0,
                rng.unit() * 100.0,
                980.0 + rng.unit() * 50.0,
                rng.range(0, 100),
                rng.pick(&["ok", "ok", "ok", "warn", "error"])
            ),
            _ => format!(
                "{id},{},{}-{},{},{:.2},{},{},{}",
                rng.range(1, 99999),
                rng.string(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", 3),
                rng.range(100, 999),
                rng.range(1, 12),
                rng.unit() * 200.0,
                rng.pick(&["USD", "EUR", "GBP", "JPY"]),
                vocab::timestamp(rng),
                rng.pick(&["paid", "shipped", "refunded", "pending"])
            ),
        };
        doc.line(&row);
    }
}

/// An application log.
pub fn log(doc: &mut Doc, rng: &Rng) {
    let svc = vocab::noun(rng).to_string();
    let mut plants = doc.take_plants();
    rng.shuffle(&mut plants);
    let target = doc.target();
    let n_plants = plants.len();
    let mut pi = plants.into_iter().enumerate().peekable();
    while !doc.full() {
        let ts = vocab::timestamp(rng);
        let l = match rng.below(12) {
            0..=3 => format!(
                "{ts} INFO  [{svc}] {} {} {} {}ms",
                rng.pick(&["GET", "GET", "POST", "PUT", "DELETE"]),
                vocab::api_path(rng),
                rng.pick(&[200, 200, 200, 201, 204, 304, 400, 401, 404, 500]),
                rng.range(1, 900)
            ),
            4 => format!("{ts} DEBUG [{svc}] {}", vocab::phrase(rng)),
            5 => format!(
                "{ts} WARN  [{svc}] {} (attempt {}/{})",
                rng.pick(&[
                    "retrying request",
                    "slow query detected",
                    "cache miss for key user:42",
                    "upstream returned 503",
                    "connection reset by peer",
                    "queue is backing up",
                    "retrying request",
                    "slow query detected",
                    "token expired, refreshing",
                ]),
                rng.range(1, 3),
                3
            ),
            6 => format!(
                "{ts} ERROR [{svc}] {}: {}",
                vocab::type_name(rng),
                rng.pick(&[
                    "connection refused",
                    "timeout after 30s",
                    "permission denied for user",
                    "no such file or directory",
                    "deadline exceeded",
                    "connection refused",
                    "invalid token signature",
                    "unexpected EOF",
                    "missing Authorization header",
                    "record not found",
                ])
            ),
            7 => format!(
                "{ts} INFO  [{svc}] user_id={} session={} action={}",
                rng.range(1, 99999),
                vocab::hex(rng, 8),
                rng.pick(vocab::VERBS)
            ),
            8 => format!(
                "{{\"ts\":\"{ts}\",\"level\":\"info\",\"svc\":\"{svc}\",\"msg\":\"{}\",\"request_id\":\"{}\",\"latency_ms\":{}}}",
                vocab::phrase(rng).replace('"', ""),
                vocab::uuid(rng),
                rng.range(1, 2000)
            ),
            9 => format!(
                "{ts} DEBUG [db] SELECT * FROM {}s WHERE id = ${} LIMIT {}",
                vocab::noun(rng),
                rng.range(1, 3),
                rng.range(1, 100)
            ),
            10 => format!(
                "    at {}.{} ({}.js:{}:{})",
                vocab::type_name(rng),
                camel(&vocab::func_snake(rng)),
                vocab::snake_plain(rng),
                rng.range(1, 900),
                rng.range(1, 80)
            ),
            _ => format!(
                "{ts} INFO  [{svc}] connected to {} in {}ms",
                rng.pick(&[
                    "redis://cache:6379",
                    "postgres://db:5432/app",
                    "amqp://queue:5672",
                    "https://api.internal"
                ]),
                rng.range(1, 200)
            ),
        };
        doc.line(&l);
        if let Some((i, _)) = pi.peek() {
            if doc.len() * n_plants.max(1) >= (*i) * target {
                if let Some((_, p)) = pi.next() {
                    write_log_plant(doc, rng, &p);
                }
            }
        }
    }
    for (_, p) in pi {
        write_log_plant(doc, rng, &p);
    }
}

fn write_log_plant(doc: &mut Doc, rng: &Rng, p: &Plant) {
    for it in &p.items {
        let (line, v) = match &it.form {
            Form::Header(s) => (
                format!("{} DEBUG [http] > Authorization: {s} {}", vocab::timestamp(rng), it.value),
                it.value.clone(),
            ),
            Form::Pem => (
                format!(
                    "{} DEBUG [tls] loaded key {}",
                    vocab::timestamp(rng),
                    serde_json::to_string(&it.value).unwrap_or_default()
                ),
                it.value.clone(),
            ),
            Form::Ref(_) => (
                format!("{} DEBUG [config] {}=<redacted>", vocab::timestamp(rng), it.name),
                "<redacted>".to_string(),
            ),
            Form::Lit => (plants::log_line_with(rng, &it.name, &it.value), it.value.clone()),
            Form::KeyHeader(h) => (
                format!("{} DEBUG [http] > {h}: {}", vocab::timestamp(rng), it.value),
                it.value.clone(),
            ),
            Form::Cmd(c) => (format!("{} + {c}", vocab::timestamp(rng)), it.value.clone()),
            Form::Note(t) => (format!("{} INFO  {t}", vocab::timestamp(rng)), it.value.clone()),
        };
        doc.mark(doc.next_line(), it.family, it.positive, v);
        doc.line(&line);
    }
}

// ---------------------------------------------------------------------------------------
// Lock files, requirement files
// ---------------------------------------------------------------------------------------

/// `package-lock.json` (v3); integrity decoys become package integrity fields.
pub fn package_lock(doc: &mut Doc, rng: &Rng) {
    let plants = doc.take_plants();
    let mut pi = plants.into_iter();
    doc.line(&format!("{{\n  \"name\": \"{}\",\n  \"version\": \"1.0.0\",\n  \"lockfileVersion\": 3,\n  \"requires\": true,\n  \"packages\": {{", kebab(&vocab::snake_plain(rng))));
    doc.line("    \"\": {\n      \"name\": \"app\",\n      \"version\": \"1.0.0\"\n    },");
    let mut first = true;
    while !doc.full() || first {
        first = false;
        let name = rng.pick(vocab::NPM_PACKAGES).to_string()
            + if rng.chance(0.5) { "" } else { "-" }
            + if rng.chance(0.5) { "" } else { vocab::noun(rng) };
        let ver = format!("{}.{}.{}", rng.range(0, 20), rng.range(0, 30), rng.range(0, 20));
        doc.line(&format!("    \"node_modules/{name}\": {{\n      \"version\": \"{ver}\",\n      \"resolved\": \"https://registry.npmjs.org/{name}/-/{}-{ver}.tgz\",", name.rsplit('/').next().unwrap_or(&name)));
        let planted = if rng.chance(0.05) { pi.next() } else { None };
        let integ = match &planted {
            Some(p) => {
                let it = &p.items[0];
                doc.mark(doc.next_line(), it.family, it.positive, it.value.clone());
                it.value.clone()
            }
            None => t::integrity(rng),
        };
        doc.line(&format!("      \"integrity\": \"{integ}\","));
        if rng.chance(0.4) {
            doc.line(&format!(
                "      \"dependencies\": {{\n        \"{}\": \"^{}.{}.0\"\n      }},",
                rng.pick(vocab::NPM_PACKAGES),
                rng.range(0, 9),
                rng.range(0, 20)
            ));
        }
        doc.line(&format!(
            "      \"{}\": true\n    }},",
            rng.pick(&["dev", "dev", "peer", "optional"])
        ));
    }
    for p in pi {
        let it = &p.items[0];
        doc.line("    \"node_modules/left-pad\": {\n      \"version\": \"1.3.0\",");
        doc.mark(doc.next_line(), it.family, it.positive, it.value.clone());
        doc.line(&format!("      \"integrity\": \"{}\",", it.value));
        doc.line("      \"dev\": true\n    },");
    }
    doc.line("    \"node_modules/zzz-end\": {\n      \"version\": \"0.0.1\"\n    }\n  }\n}");
}

/// `yarn.lock` (v1).
pub fn yarn_lock(doc: &mut Doc, rng: &Rng) {
    let plants = doc.take_plants();
    let mut pi = plants.into_iter();
    doc.line(
        "# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n# yarn lockfile v1\n",
    );
    while !doc.full() {
        let name = rng.pick(vocab::NPM_PACKAGES).to_string();
        let ver = format!("{}.{}.{}", rng.range(0, 20), rng.range(0, 30), rng.range(0, 20));
        doc.line(&format!("\"{name}@^{ver}\":\n  version \"{ver}\"\n  resolved \"https://registry.yarnpkg.com/{name}/-/{}-{ver}.tgz#{}\"", name.rsplit('/').next().unwrap_or(&name), vocab::hex(rng, 20)));
        let integ = match if rng.chance(0.05) { pi.next() } else { None } {
            Some(p) => {
                let it = &p.items[0];
                doc.mark(doc.next_line(), it.family, it.positive, it.value.clone());
                it.value.clone()
            }
            None => t::integrity(rng),
        };
        doc.line(&format!("  integrity {integ}"));
        doc.line("");
    }
    for p in pi {
        let it = &p.items[0];
        doc.line("left-pad@^1.3.0:\n  version \"1.3.0\"");
        doc.mark(doc.next_line(), it.family, it.positive, it.value.clone());
        doc.line(&format!("  integrity {}", it.value));
        doc.line("");
    }
}

/// `Cargo.lock`.
pub fn cargo_lock(doc: &mut Doc, rng: &Rng) {
    doc.line("# This file is automatically @generated by Cargo.\n# It is not intended for manual editing.\nversion = 3\n");
    while !doc.full() {
        doc.line(&format!("[[package]]\nname = \"{}\"\nversion = \"{}.{}.{}\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"{}\"", rng.pick(vocab::CRATES), rng.range(0, 2), rng.range(0, 40), rng.range(0, 20), vocab::hex(rng, 32)));
        if rng.chance(0.5) {
            doc.line(&format!(
                "dependencies = [\n \"{}\",\n \"{}\",\n]",
                rng.pick(vocab::CRATES),
                rng.pick(vocab::CRATES)
            ));
        }
        doc.line("");
    }
}

/// `poetry.lock`.
pub fn poetry_lock(doc: &mut Doc, rng: &Rng) {
    while !doc.full() {
        let name = rng.pick(vocab::PY_PACKAGES);
        let ver = format!("{}.{}.{}", rng.range(0, 5), rng.range(0, 30), rng.range(0, 9));
        doc.line(&format!("[[package]]\nname = \"{name}\"\nversion = \"{ver}\"\ndescription = \"{}\"\noptional = false\npython-versions = \">=3.8\"\nfiles = [", vocab::sentence(rng, 5)));
        for _ in 0..rng.range(1, 4) {
            doc.line(&format!(
                "    {{file = \"{}-{ver}-py3-none-any.whl\", hash = \"sha256:{}\"}},",
                name.replace('-', "_"),
                vocab::hex(rng, 32)
            ));
        }
        doc.line("]\n");
    }
}

/// `go.sum`.
pub fn go_sum(doc: &mut Doc, rng: &Rng) {
    while !doc.full() {
        let m = rng.pick(vocab::GO_MODULES);
        let v = format!("v{}.{}.{}", rng.range(0, 2), rng.range(0, 40), rng.range(0, 20));
        doc.line(&format!("{m} {v} h1:{}", t::b64(rng, 32)));
        doc.line(&format!("{m} {v}/go.mod h1:{}", t::b64(rng, 32)));
    }
}

/// `requirements.txt`, optionally with hashes.
pub fn requirements(doc: &mut Doc, rng: &Rng) {
    let hashes = rng.chance(0.3);
    while !doc.full() {
        let p = rng.pick(vocab::PY_PACKAGES);
        if hashes {
            doc.line(&format!(
                "{p}=={}.{}.{} \\\n    --hash=sha256:{}",
                rng.range(0, 5),
                rng.range(0, 30),
                rng.range(0, 9),
                vocab::hex(rng, 32)
            ));
        } else {
            doc.line(&format!(
                "{p}{}{}.{}",
                rng.pick(&["==", ">=", "~="]),
                rng.range(0, 5),
                rng.range(0, 30)
            ));
        }
    }
}

/// Plain text (LICENSE, CHANGELOG, .gitignore-like lists): no plants.
pub fn text(doc: &mut Doc, rng: &Rng, kind: &str) {
    match kind {
        "license" => {
            doc.line(&format!(
                "MIT License\n\nCopyright (c) {} {}\n",
                rng.range(2015, 2025),
                pascal(rng.pick_str(vocab::BRANDS))
            ));
            doc.line("Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated documentation files (the \"Software\"), to deal in the Software without restriction, including without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software.");
        }
        _ => {
            while !doc.full() {
                doc.line(&format!(
                    "## [{}.{}.{}] - {}",
                    rng.range(0, 5),
                    rng.range(0, 30),
                    rng.range(0, 9),
                    vocab::date(rng)
                ));
                for _ in 0..rng.range(1, 6) {
                    doc.line(&format!(
                        "- {} ({})",
                        vocab::sentence(rng, rng.range(4, 12)),
                        &vocab::hex(rng, 20)[..7]
                    ));
                }
                doc.line("");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// PEM files and binary files
// ---------------------------------------------------------------------------------------

/// A standalone PEM file holding its (single) plant.
pub fn pem_file(doc: &mut Doc, rng: &Rng) {
    let plants = doc.take_plants();
    for p in plants {
        for it in &p.items {
            if rng.chance(0.1) && it.positive {
                doc.line("Bag Attributes");
                doc.line(&format!("    friendlyName: {}", vocab::noun(rng)));
            }
            doc.mark(doc.next_line(), it.family, it.positive, it.value.clone());
            doc.line(&it.value);
        }
    }
}

/// Bytes of a binary file (PNG, ICO, WOFF2, JAR/ZIP, compiled Python).
pub fn binary(rng: &Rng, ext: &str, size: usize) -> Vec<u8> {
    let mut out = match ext {
        "png" => vec![
            0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, b'I', b'H', b'D', b'R',
        ],
        "ico" => vec![0, 0, 1, 0, 1, 0, 16, 16, 0, 0, 1, 0, 32, 0],
        "woff2" => b"wOF2\x00\x01\x00\x00".to_vec(),
        "jar" | "zip" => b"PK\x03\x04\x14\x00\x08\x00\x08\x00".to_vec(),
        "pyc" => vec![0xcb, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0],
        "class" => vec![0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 0x41],
        _ => vec![0x7f, b'E', b'L', b'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    };
    while out.len() < size {
        // Mix random bytes with runs of zeros, like real binaries.
        if rng.chance(0.2) {
            out.extend(std::iter::repeat_n(0u8, rng.range(4, 64)));
        } else {
            out.extend_from_slice(&rng.bytes(rng.range(16, 256)));
        }
    }
    out.truncate(size.max(16));
    out
}

/// A base62 string (used for opaque identifiers in fixtures).
pub fn opaque_id(rng: &Rng, n: usize) -> String {
    rng.string(B62, n)
}
