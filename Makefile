# kubectl-job. `make demo` and `make test` are the two commands a fresh
# machine needs (README). Binaries of the local cluster are cached in
# $(KJ_CACHE) (default ~/.cache/kubectl-job), never in the clone.
SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c

# The version is the VERSION file's (what a release of this tree is called);
# the commit says which build of it this is.
VERSION ?= $(shell tr -d '[:space:]' < VERSION)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
DATE    ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
PKG     := github.com/kubectl-job/kubectl-job/pkg/version
LDFLAGS := -s -w -X $(PKG).Version=$(VERSION) -X $(PKG).Commit=$(COMMIT) -X $(PKG).Date=$(DATE)

.PHONY: build test test-unit e2e e2e-faults e2e-pressure difftest difftest-mutants accuracy-fresh dist krew-manifest krew-test cluster-up cluster-down demo lint fixtures clean bench
N ?= 200
# SEED: empty gives make difftest seed 1 and make e2e's small difftest a new
# seed each run (printed; reproduce with SEED=).
SEED ?=

build: ## bin/kubectl-job and bin/kubectl_complete-job (so `kubectl job <TAB>` completes from a dev build on PATH)
	CGO_ENABLED=0 go build -trimpath -ldflags '$(LDFLAGS)' -o bin/kubectl-job ./cmd/kubectl-job
	install -m 0755 cmd/kubectl-job/kubectl_complete-job bin/kubectl_complete-job

test: lint accuracy-fresh test-unit fuzz e2e e2e-faults e2e-pressure krew-test ## everything: lint, docs/accuracy.md current, unit and command tests, fuzzing, e2e, fault and pressure tests on fresh local clusters, the krew install

test-unit: ## unit and command tests; no cluster needed
	go test -count=1 ./...

FUZZTIME ?= 15s
.PHONY: fuzz
fuzz: ## every fuzz target for FUZZTIME each (default 15s) from its seed corpus; KJ_UPDATE_DOCS=1 writes the table of docs/reliability.md
	FUZZTIME=$(FUZZTIME) hack/fuzz.sh

e2e: build ## end-to-end tests against a local cluster started (and stopped) for the run; includes a small difftest with a new seed (SEED= reproduces)
	DIFFTEST_SEED=$(SEED) hack/e2e.sh

e2e-faults: build ## fault tests: API server and etcd stopped and restarted under running commands, on their own cluster
	KJ_E2E_KUBECONFIG= KJ_E2E_CLUSTER_DIR=$${KUBECTL_JOB_CACHE:-$$HOME/.cache/kubectl-job}/faults-cluster KJ_E2E_PORT_BASE=27400 \
	  KJ_E2E_TAGS='e2e faults' KJ_E2E_PKGS=./test/e2e/ KJ_E2E_RUN='^TestFault' \
	  KJ_E2E_LOG=$${KUBECTL_JOB_CACHE:-$$HOME/.cache/kubectl-job}/e2e-faults.log hack/e2e.sh

KJ_PRESSURE_PORT_BASE ?= 27700
e2e-pressure: build ## pressure tests: API Priority and Fairness, 410 while paging, a slow lossy link, expired credentials (hack/faultproxy), 200 waits at once, huge Jobs; own cluster
	KJ_E2E_KUBECONFIG= KJ_E2E_CLUSTER_DIR=$${KUBECTL_JOB_CACHE:-$$HOME/.cache/kubectl-job}/pressure-cluster KJ_E2E_PORT_BASE=$(KJ_PRESSURE_PORT_BASE) \
	  KJ_E2E_TAGS='e2e pressure' KJ_E2E_PKGS=./test/e2e/ KJ_E2E_RUN='^TestPressure' \
	  KJ_E2E_LOG=$${KUBECTL_JOB_CACHE:-$$HOME/.cache/kubectl-job}/e2e-pressure.log hack/e2e.sh

difftest: build ## differential test of explain against the job controller on fresh clusters: make difftest N=200 SEED=1 (a passing run writes docs/accuracy.md)
	DIFFTEST_N=$(N) DIFFTEST_SEED=$(or $(SEED),1) DIFFTEST_PARALLEL=$${DIFFTEST_PARALLEL:-10} DIFFTEST_REPORT=$(CURDIR)/docs/accuracy.md hack/difftest.sh

difftest-mutants: build ## negative controls: deliberate bugs in a copy of the engine, each must make the difftest fail; prints the mutant table
	hack/difftest-mutants.sh

accuracy-fresh: ## fails when pkg/explain changed after the commit docs/accuracy.md was measured on
	hack/accuracy-fresh.sh

bench: build ## fleet of 500 then 2,000 Jobs on a fresh local cluster; kubectl-job vs kubectl and stern; writes docs/benchmarks.md only when every target is met (BENCH_ROUNDS=7, BENCH_SCALE=10k for 10,000 Jobs)
	hack/bench.sh

dist: ## all 6 release archives + checksums.txt in dist/ (goreleaser snapshot named after VERSION)
	hack/dist.sh

krew-manifest: ## write plugin.yaml from .krew.yaml, VERSION and dist/ (run after make dist)
	hack/krew-manifest.sh

krew-test: ## goreleaser check, the linux/amd64 archive, manifest freshness, validate-krew-manifest, real krew install/uninstall
	hack/dist.sh --check
	hack/dist.sh --single-target
	hack/krew-test.sh

cluster-up: ## start the local cluster; prints its kubeconfig path
	hack/cluster-up.sh

cluster-down: ## stop the local cluster started by cluster-up
	hack/cluster-down.sh

demo: build ## build, start the local cluster, run Jobs that succeed / fail / hit a deadline, show them
	hack/demo.sh

fixtures: build ## re-capture the real Job/Pod/Event fixtures of pkg/explain/testdata/fixtures
	KJ_UPDATE_FIXTURES=1 KJ_E2E_RUN='TestGroundTruth' hack/e2e.sh

lint: ## gofmt, go vet, go mod tidy
	hack/lint.sh

clean:
	rm -rf bin dist
