# onair — build, test, validate, deploy. `make help` lists the targets.
#
# SAM builds each function with `make build-<LogicalId>` (BuildMethod:
# makefile), possibly from another working directory, so every recipe that
# touches the tree first changes to ROOT.

ROOT := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

GO ?= go
STAGE ?= dev
STACK ?= onair-$(STAGE)
BUILD_DIR := $(ROOT)/build
FUNCTIONS := $(sort $(notdir $(patsubst %/,%,$(dir $(wildcard $(ROOT)/functions/*/main.go)))))

# How Lambda binaries are built (provided.al2023, arm64). lambda.norpc drops
# the legacy RPC mode: the binary speaks the Runtime API only. XRAY_SDK=1
# adds the X-Ray SDK's per-AWS-call subsegments (-tags xraysdk; its cost is
# in docs/performance.md); Tracing: Active records invocations either way.
comma := ,
LAMBDA_TAGS := lambda.norpc$(if $(filter 1,$(XRAY_SDK)),$(comma)xraysdk)
LAMBDA_ENV := GOOS=linux GOARCH=arm64 CGO_ENABLED=0
LAMBDA_FLAGS := -tags $(LAMBDA_TAGS) -ldflags='-s -w' -trimpath

.DEFAULT_GOAL := help
.PHONY: help build test fuzz crash soak bench-latency bench-media lint validate deploy publish destroy invoke dev clean check-stage simulate-stream stream stop-stream trust web web-build web-config web-test

help: ## Show this help.
	@echo "onair make targets:"
	@grep -E '^[a-zA-Z%_-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([^:]+):.*## (.*)/  \1\t\2/' | expand -t 24
	@echo
	@echo "Variables: STAGE=dev|prod (deploy, destroy), FN=<LogicalId> EVENT=events/<file>.json"
	@echo "           [ENV_VARS=env.json] [PARAMS='Key=Value ...'] [CONFIG_ENV=dev|prod] (invoke)."

build: ## Build every function: build/<Name>/bootstrap (linux/arm64) and build/<Name>.zip [XRAY_SDK=1].
	@cd $(ROOT) && rm -rf $(BUILD_DIR)/.bin && mkdir -p $(BUILD_DIR)/.bin
	@# One go command builds them all, in parallel, sharing the build cache.
	cd $(ROOT) && $(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(BUILD_DIR)/.bin/ ./functions/...
	@cd $(BUILD_DIR) && for fn in $(FUNCTIONS); do \
		rm -rf "$$fn" "$$fn.zip" && mkdir -p "$$fn" && mv ".bin/$$fn" "$$fn/bootstrap"; \
		$(call zip_bootstrap,$$fn); \
	done; rmdir .bin
	@echo "built $(words $(FUNCTIONS)) functions into $(BUILD_DIR)"

# The size budget of a function's bootstrap (linux/arm64): 12.5 MiB. The
# default build is 7.6-11.7 MiB (docs/performance.md); the X-Ray SDK alone
# would add about 13 MiB.
SIZE_BUDGET := 13107200

.PHONY: check-size
check-size: build ## Build every function; fail when a bootstrap is over the size budget (12.5 MiB).
	@cd $(BUILD_DIR) && over="" && largest=0 && for fn in $(FUNCTIONS); do \
		size=$$(stat -c %s "$$fn/bootstrap"); \
		if [ "$$size" -gt "$$largest" ]; then largest=$$size; name=$$fn; fi; \
		if [ "$$size" -gt $(SIZE_BUDGET) ]; then over="$$over $$fn($$size)"; fi; \
	done; \
	if [ -n "$$over" ]; then echo "over the size budget of $(SIZE_BUDGET) bytes:$$over"; exit 1; fi; \
	echo "largest bootstrap: $$name, $$largest bytes (budget $(SIZE_BUDGET))"

# zip_bootstrap(name): build/<name>.zip holding an executable bootstrap
# (zip(1) when installed, Python's zipfile otherwise; both keep the mode bits).
define zip_bootstrap
if command -v zip >/dev/null; then (cd "$(1)" && zip -q -9 -X "../$(1).zip" bootstrap); \
else (cd "$(1)" && python3 -m zipfile -c "../$(1).zip" bootstrap); fi
endef

build-%: ## (sam build) Build one function into $(ARTIFACTS_DIR)/bootstrap.
	@test -n "$${ARTIFACTS_DIR:-}" || { echo "build-$*: ARTIFACTS_DIR is not set (sam build sets it)"; exit 2; }
	@test -f $(ROOT)/functions/$*/main.go || { echo "build-$*: no functions/$*/main.go"; exit 2; }
	cd $(ROOT) && $(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o "$${ARTIFACTS_DIR}/bootstrap" ./functions/$*

test: ## Run every Go test with the race detector, check the xraysdk build, `make validate`, the web app's tests (`make web-test`), fuzzing and two kill -9 rounds (`make crash`).
	cd $(ROOT) && $(GO) test -race -p 2 ./...
	@# The X-Ray SDK variant (make build XRAY_SDK=1) must keep building, and its per-call subsegments must reach the daemon.
	cd $(ROOT) && $(GO) build -tags xraysdk ./... && $(GO) vet -tags xraysdk ./shared/app/... ./functions/... && $(GO) test -tags xraysdk ./shared/app/...
	@# The conformance suites' AWS side (-tags awsconformance) must keep compiling.
	cd $(ROOT) && $(GO) vet -tags awsconformance ./local/conformance/...
	@$(MAKE) --no-print-directory -C $(ROOT) check-size
	@$(MAKE) --no-print-directory -C $(ROOT) validate
	@$(MAKE) --no-print-directory -C $(ROOT) web-test
	@$(MAKE) --no-print-directory -C $(ROOT) fuzz
	@# Two short kill -9 rounds (0.5–3 min: a killed provisioning's claim holds 2 min); make crash alone runs more.
	@$(MAKE) --no-print-directory -C $(ROOT) crash CRASH_ROUNDS=2 CRASH_USERS=8

# Every Go fuzz target, as <package dir>:<FuzzName> (a test checks the list
# against the tree). Seed corpora live in <package dir>/testdata/fuzz/.
FUZZ_TARGETS := shared/httpapi:FuzzDecode shared/streams:FuzzHandleEventBridge shared/assets:FuzzUpdateAssetVersion \
	local/internal/chatws:FuzzParseRequest shared/samtemplate:FuzzResolve local/internal/ivsemu:FuzzVerifyStageToken
FUZZTIME ?= 3s

fuzz: ## Fuzz every target for FUZZTIME (default 3s) each; a failing input is saved under the package's testdata/fuzz.
	@cd $(ROOT) && for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; fn=$${t##*:}; \
		echo "fuzz: $$fn ($$pkg, $(FUZZTIME))"; \
		out="$$($(GO) test -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 10s ./$$pkg 2>&1)" || { echo "$$out"; exit 1; }; \
	done

crash: ## kill -9 test of the offline stack (make test runs 2 short rounds; a killed provisioning's claim holds 2 min): [CRASH_ROUNDS=3] [CRASH_USERS=12].
	cd $(ROOT) && ONAIR_CRASH=1 ONAIR_CRASH_ROUNDS=$(or $(CRASH_ROUNDS),3) ONAIR_CRASH_USERS=$(or $(CRASH_USERS),12) \
		$(GO) test -count=1 -timeout 30m -run '^TestCrash$$' -v ./local/ 2>&1 | grep -E '^(---|ok|FAIL|PASS)|crash_test.go'

soak: ## Load and soak benchmark of the offline stack (not in make test): [SOAK=60s] [SOAK_CONNS=1000] [SOAK_RPS=500].
	cd $(ROOT) && ONAIR_SOAK=$(or $(SOAK),60s) ONAIR_SOAK_CONNS=$(or $(SOAK_CONNS),1000) ONAIR_SOAK_RPS=$(or $(SOAK_RPS),500) \
		$(GO) test -count=1 -timeout 15m -run '^TestSoak$$' -v ./local/internal/stack/ 2>&1 | grep -E '^(---|ok|FAIL|PASS)|soak_test.go'

bench-latency: ## Glass-to-glass latency of the offline media plane in Chromium, RTMP and browser → LL-HLS (not in make test): [LATENCY_SECONDS=30].
	@$(call web_deps)
	@$(MAKE) --no-print-directory -C $(ROOT) web-build
	cd $(WEB) && LATENCY_SECONDS=$(or $(LATENCY_SECONDS),30) npx playwright test -c playwright.bench.config.ts

bench-media: ## CPU of one 720p30 broadcast and capacity (broadcasts × LL-HLS viewers) of the media plane (not in make test): [MEDIA_BENCH_ARGS=].
	cd $(ROOT) && $(GO) build -o $(BUILD_DIR)/mediabench ./local/internal/media/mediabench && $(BUILD_DIR)/mediabench $(MEDIA_BENCH_ARGS)

lint: ## Fail on unformatted Go files; go vet.
	@cd $(ROOT) && files="$$(gofmt -l $$(git ls-files --cached --others --exclude-standard '*.go' 2>/dev/null || find . -name '*.go' -not -path '*/node_modules/*'))"; \
	if [ -n "$$files" ]; then echo "gofmt needed on:"; echo "$$files"; exit 1; fi
	cd $(ROOT) && $(GO) vet ./...

validate: ## cfn-lint template.yaml, then the SAM transform (offline) and cfn-lint on its output.
	@command -v cfn-lint >/dev/null || { echo "validate: cfn-lint is not installed (pip install cfn-lint)"; exit 1; }
	@python3 -c 'import samtranslator' 2>/dev/null || { echo "validate: samtranslator is not installed (pip install aws-sam-translator)"; exit 1; }
	cd $(ROOT) && cfn-lint template.yaml
	@mkdir -p $(BUILD_DIR)
	cd $(ROOT) && python3 .ci/sam_transform.py template.yaml $(BUILD_DIR)/template.transformed.json
	@# W2001 (unused parameter) is expected after the transform: SAM substitutes
	@# some parameters (e.g. AllowedOrigins in CorsConfiguration) itself.
	cd $(ROOT) && cfn-lint --ignore-checks W2001 -- $(BUILD_DIR)/template.transformed.json
	@echo "template.yaml is valid"

check-stage:
	@case "$(STAGE)" in dev|prod) ;; *) echo "STAGE must be dev or prod (got '$(STAGE)')"; exit 2;; esac

deploy: check-stage ## Build the web app and the functions, deploy STAGE (dev|prod) as stack onair-<STAGE>, publish the web app to it (make publish) and print its URL.
	@command -v sam >/dev/null || { echo "deploy: the AWS SAM CLI is not installed"; exit 1; }
	@command -v aws >/dev/null || { echo "deploy: the AWS CLI is not installed"; exit 1; }
	@$(MAKE) --no-print-directory -C $(ROOT) web-build
	cd $(ROOT) && sam build && sam deploy --config-env $(STAGE)
	@$(MAKE) --no-print-directory -C $(ROOT) publish

publish: check-stage ## Upload web-ui/dist with a config.json from the outputs of stack onair-<STAGE> (changed files only, index.html last), invalidate CloudFront, print the app's URL.
	@command -v aws >/dev/null || { echo "publish: the AWS CLI is not installed"; exit 1; }
	cd $(ROOT) && $(GO) run ./local/webpublish -stack $(STACK) -dir $(WEB)/dist

destroy: check-stage ## Empty the assets and web app buckets, delete stack onair-<STAGE>, then the IVS channels, chat rooms, stages and public keys tagged project=onair-<STAGE>.
	@command -v sam >/dev/null || { echo "destroy: the AWS SAM CLI is not installed"; exit 1; }
	cd $(ROOT) && .ci/empty-bucket.sh $(STACK) ChannelAssetsBucket
	cd $(ROOT) && .ci/empty-bucket.sh $(STACK) WebAppBucket
	cd $(ROOT) && sam delete --config-env $(STAGE) --stack-name $(STACK) --no-prompts
	cd $(ROOT) && .ci/destroy-ivs.sh $(STACK)

invoke: ## Run one function in the running make dev (at AWS_ENDPOINT), else its binary under the local Runtime API: FN=<LogicalId> [EVENT=events/<FN>.json] [ENV_VARS=f.json] [PARAMS='K=V ...'] [CONFIG_ENV=dev|prod] [LOCAL=1].
	@test -n "$(FN)" || { echo "invoke: set FN=<LogicalId> (and EVENT=events/<file>.json)"; exit 2; }
	cd $(ROOT) && $(GO) run ./local invoke -endpoint $(AWS_ENDPOINT) $(strip $(if $(EVENT),-event $(EVENT)) $(if $(ENV_VARS),-env-vars $(ENV_VARS)) $(if $(PARAMS),-parameter-overrides '$(PARAMS)') $(if $(CONFIG_ENV),-config-env $(CONFIG_ENV)) $(if $(LOCAL),-local)) $(FN)

# --- Web app (web-ui/) --------------------------------------------------------

WEB := $(ROOT)/web-ui
# What a build of web-ui/dist depends on (public/config.json is written by
# web-config and does not count).
WEB_INPUTS := src public index.html package.json package-lock.json vite.config.ts tsconfig.json tsconfig.app.json tsconfig.node.json

# web_deps: npm ci when node_modules is missing or older than the lockfile.
define web_deps
if [ ! -f $(WEB)/node_modules/.package-lock.json ] || [ $(WEB)/package-lock.json -nt $(WEB)/node_modules/.package-lock.json ]; then \
	echo "web app: installing npm packages (npm ci)"; (cd $(WEB) && npm ci --no-audit --no-fund --loglevel=error); fi
endef

web-build: ## Build the web app into web-ui/dist when it is missing or older than its sources.
	@if [ ! -d $(WEB) ]; then exit 0; fi; \
	cd $(WEB); \
	if [ -f dist/index.html ] && [ -z "$$(find $(WEB_INPUTS) -newer dist/index.html -not -path public/config.json -print -quit 2>/dev/null)" ]; then \
		echo "web app: web-ui/dist is up to date"; exit 0; fi; \
	if [ -f dist/index.html ]; then echo "web app: sources changed since the last build; rebuilding web-ui/dist"; \
	else echo "web app: web-ui/dist is missing; building it"; fi; \
	$(call web_deps); \
	echo "web app: vite build"; npx vite build --logLevel warn; \
	touch dist/index.html; echo "web app: built web-ui/dist"

web: ## Vite's dev server with hot reload on http://127.0.0.1:5173 against the running offline stack (make dev).
	@$(call web_deps)
	cd $(WEB) && npx vite

web-config: check-stage ## Write web-ui/public/config.json (and dist/config.json) from the outputs of stack onair-<STAGE>.
	@command -v aws >/dev/null || { echo "web-config: the AWS CLI is not installed"; exit 1; }
	cd $(ROOT) && aws cloudformation describe-stacks --stack-name $(STACK) --query 'Stacks[0].Outputs' --output json \
		| node $(WEB)/scripts/web-config.mjs $(WEB)/public/config.json $(if $(wildcard $(WEB)/dist/index.html),$(WEB)/dist/config.json)

web-test: ## The web app's type check, unit tests (Vitest) and end-to-end tests (Playwright, Debian's chromium).
	@if [ ! -d $(WEB) ]; then echo "web-test: no web-ui/"; exit 0; fi
	@$(call web_deps)
	@$(MAKE) --no-print-directory -C $(ROOT) web-build
	cd $(WEB) && npx tsc -b && npx vitest run && npx playwright test

# The offline stack's addresses. make dev listens on them; the targets that
# talk to a running stack (invoke, simulate-stream, stop-stream) use them.
WEB_ADDR ?= 127.0.0.1:3000
API_ADDR ?= 127.0.0.1:3001
AWS_ADDR ?= 127.0.0.1:4566
AWS_ENDPOINT ?= http://$(AWS_ADDR)
DATA_DIR ?= .local-data
# The media plane's listeners (a second stack on one machine needs all of
# them moved, not only the three above).
RTMP_ADDR ?= 127.0.0.1:1935
RTMPS_ADDR ?= 127.0.0.1:1936
WEBRTC_ADDR ?= 127.0.0.1:4443
SFU_ADDR ?= 127.0.0.1:4444

.PHONY: new-function
new-function: ## Add an HTTP function: NAME=<LogicalId> ROUTE='METHOD /path' [AUTH=required|optional|public].
	@test -n "$(NAME)" -a -n "$(ROUTE)" || { echo "new-function: set NAME=<LogicalId> ROUTE='METHOD /path' [AUTH=required|optional|public]"; exit 2; }
	cd $(ROOT) && $(GO) run ./local new-function -name '$(NAME)' -route '$(ROUTE)' -auth '$(or $(AUTH),required)'

dev: web-build ## Run the offline stack (no AWS, no Docker), building the web app first when needed: [WEB_ADDR= API_ADDR= AWS_ADDR= RTMP_ADDR= RTMPS_ADDR= WEBRTC_ADDR= SFU_ADDR= DATA_DIR= DEV_ARGS=].
	@# go run would compile silently for minutes on a cold cache: build with
	@# a running count of compiled packages instead (errors pass through).
	@cd $(ROOT) && echo "dev: building the offline stack (the first build compiles ~450 packages and takes a few minutes)" && \
	$(GO) build -v -o $(BUILD_DIR)/onair-local ./local 2>&1 | { n=0; while IFS= read -r line; do \
		case "$$line" in *" "*|"#"*) printf '\n%s\n' "$$line";; *) n=$$((n+1)); printf '\r  %d packages compiled' $$n;; esac; \
	done; [ $$n -eq 0 ] || echo; }
	cd $(ROOT) && exec $(BUILD_DIR)/onair-local --web-addr $(WEB_ADDR) --api-addr $(API_ADDR) --aws-addr $(AWS_ADDR) \
		--rtmp-addr $(RTMP_ADDR) --rtmps-addr $(RTMPS_ADDR) --webrtc-addr $(WEBRTC_ADDR) --sfu-addr $(SFU_ADDR) --data-dir $(DATA_DIR) $(DEV_ARGS)

trust: ## Trust the offline stack's local CA (HTTPS ingest) in Chromium/Firefox (NSS) and the system store: [DATA_DIR=.local-data].
	@cd $(ROOT) && ca="$$($(GO) run ./local cert --data-dir $(DATA_DIR))" && echo "trust: CA $$ca" && local/trust.sh "$$ca"

simulate-stream: ## Simulate a live stream on a channel of the offline stack: CHANNEL=<username> [AWS_ENDPOINT=http://127.0.0.1:4566] (make dev must be running).
	@test -n "$(CHANNEL)" || { echo "simulate-stream: set CHANNEL=<username>"; exit 2; }
	@curl -sS --fail-with-body -X POST $(AWS_ENDPOINT)/_local/streams/$(CHANNEL)/start || { echo; echo "simulate-stream: failed (is make dev running at AWS_ENDPOINT=$(AWS_ENDPOINT)? does $(CHANNEL) have a channel?)"; exit 1; }
	@echo

stream: ## Push an ffmpeg test pattern (wall clock, tone, 1 s keyframes) into the RTMP ingest with the channel's key: CHANNEL=<username> [STREAM_SIZE=1280x720 STREAM_FPS=30 AWS_ENDPOINT= DATA_DIR=].
	@test -n "$(CHANNEL)" || { echo "stream: set CHANNEL=<username>"; exit 2; }
	@cd $(ROOT) && local/stream.sh start $(AWS_ENDPOINT) $(CHANNEL) $(DATA_DIR) $(or $(STREAM_SIZE),1280x720) $(or $(STREAM_FPS),30)

stop-stream: ## Stop make stream's ffmpeg (or end a simulated stream): CHANNEL=<username> [AWS_ENDPOINT= DATA_DIR=] (as given to make stream).
	@test -n "$(CHANNEL)" || { echo "stop-stream: set CHANNEL=<username>"; exit 2; }
	@cd $(ROOT) && local/stream.sh stop $(AWS_ENDPOINT) $(CHANNEL) $(DATA_DIR)

clean: ## Remove build outputs.
	rm -rf $(BUILD_DIR) $(ROOT)/.aws-sam $(WEB)/dist
