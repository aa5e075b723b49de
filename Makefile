# PostDesk — `make run` sets up and starts the app; `make test` sets up and
# runs all tests. Missing Debian packages are installed by scripts/deps.sh
# (as root) or named with the command to install them.
#
# Variables (override on the command line, e.g. `make bench BENCH=Search PKG=./internal/...`):
#   ARGS        arguments for ./bin/postdesk (make run) and scripts/e2e.sh (make e2e)
#   BUILD_TAGS  tags for the app build; migrated_fynedo matches what `fyne package`
#               uses with [Migrations] fyneDo = true in FyneApp.toml
#   TEST_CGO    CGO_ENABLED for vet/test/bench (0: tests need no C compiler or display)
#
# Tests, vet and staticcheck build with `-tags ci`: Fyne's build tag that
# swaps its OpenGL/GLFW driver for the headless test driver, so app/ and
# main build with CGO_ENABLED=0 and need no display. Tests that call an
# outside program (pdftotext, zbarimg, sqlite3, chromium) skip when it is
# missing, except under CI (CI=true, set by .ci/run), where they fail.
#   BENCH, BENCHTIME, BENCHCOUNT, PKG   what `make bench` runs

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

GO         ?= go
ARGS       ?=
BUILD_TAGS ?= migrated_fynedo
TEST_CGO   ?= 0
BENCH      ?= .
BENCHTIME  ?= 1s
BENCHCOUNT ?= 1
PKG        ?= ./...

FYNE_TOOLS_VERSION ?= v1.7.4
FYNE := bin/tools/$(FYNE_TOOLS_VERSION)/fyne
# staticcheck 2026.2.2, the first release line that knows Go 1.26.
STATICCHECK_VERSION ?= v0.8.2
STATICCHECK := bin/tools/staticcheck-$(STATICCHECK_VERSION)/staticcheck
APP_VERSION = $(shell sed -n 's/^[[:space:]]*Version[[:space:]]*=[[:space:]]*"\(.*\)"/\1/p' FyneApp.toml | head -n1)
GOARCH     := $(shell $(GO) env GOARCH)

.PHONY: help run build hub test test-hub-postgres lint bench package package-hub e2e fmt clean

help:
	@echo "make run      set up and start the app (ARGS='...' for its command line)"
	@echo "make test     set up, run make lint and all tests, headless"
	@echo "make lint     gofmt, go vet, go mod tidy -diff, staticcheck"
	@echo "make build    build bin/postdesk and bin/postdesk-hub"
	@echo "make hub      build bin/postdesk-hub, the province hub (pure Go: no cgo, no Fyne)"
	@echo "make bench    run benchmarks (BENCH=regex PKG=./... BENCHTIME=1s)"
	@echo "make package  build dist/PostDesk-<version>-linux-<arch>.tar.xz with the fyne tool"
	@echo "make package-hub  dist/postdesk-hub-<version>-linux-amd64.tar.gz and -windows-amd64.zip"
	@echo "make e2e      install Xvfb, xdotool, ImageMagick; build; run scripts/e2e.sh"
	@echo "make windows  cross-build bin/postdesk.exe (mingw-w64; cached by source hash)"
	@echo "make installer  build dist/PostDesk-<version>-windows-amd64-setup.exe (NSIS; SIGN_CERT/SIGN_KEY sign it)"
	@echo "make fmt      gofmt the code"
	@echo "make clean    remove bin/ and dist/"

run: build
	./bin/postdesk $(ARGS)

build: hub
	@scripts/deps.sh run
	CGO_ENABLED=1 $(GO) build -tags '$(BUILD_TAGS)' -o bin/postdesk .

# The hub is pure Go (modernc SQLite), so it cross-builds for any server.
hub:
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/postdesk-hub ./cmd/postdesk-hub

# Server packages of the hub: the binary with the protocol and outcome-file
# documents, for Linux (tar.gz) and Windows (zip), both amd64.
HUB_DOCS := docs/sync-protocol.md internal/hub/hubstore/FORMAT.md
package-hub:
	rm -rf bin/hub-pkg && mkdir -p dist
	for target in linux/amd64 windows/amd64; do \
		os=$${target%/*}; arch=$${target#*/}; ext=; [ $$os = windows ] && ext=.exe; \
		dir=bin/hub-pkg/postdesk-hub-$(APP_VERSION)-$$os-$$arch; mkdir -p $$dir; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -o $$dir/postdesk-hub$$ext ./cmd/postdesk-hub; \
		cp $(HUB_DOCS) $$dir/; \
		if [ $$os = windows ]; then \
			(cd bin/hub-pkg && rm -f ../../dist/$${dir##*/}.zip && zip -qr ../../dist/$${dir##*/}.zip $${dir##*/}); \
		else \
			tar -C bin/hub-pkg -czf dist/$${dir##*/}.tar.gz $${dir##*/}; \
		fi; \
		echo "dist/$${dir##*/}"; \
	done

test: lint
	@scripts/deps.sh test windows
	$(MAKE) --no-print-directory test-windows-build
	CGO_ENABLED=$(TEST_CGO) $(GO) test -tags ci -count=1 -timeout 60m ./...
	$(MAKE) --no-print-directory test-hub-postgres

# The hub's suite and the end-to-end tests again with the hub on PostgreSQL
# (a throwaway cluster per test package: internal/pgtest, internal/hub/hubtest).
HUB_PG_PKGS ?= ./internal/hub/... ./internal/e2e/
test-hub-postgres:
	@scripts/deps.sh test
	POSTDESK_TEST_HUB_DB=postgres CGO_ENABLED=$(TEST_CGO) $(GO) test -tags ci -count=1 -timeout 30m $(HUB_PG_PKGS)

# The Windows build and installers the Wine suite (internal/wintest) runs:
# this version's installer signed with a throwaway self-signed certificate,
# and an "older" one (0.0.9) to upgrade from.
WIN_TEST_DIR := bin/wintest
test-windows-build:
	@scripts/deps.sh windows
	mkdir -p $(WIN_TEST_DIR)
	VERSION=0.0.9 scripts/windows.sh installer >/dev/null
	mv -f dist/PostDesk-0.0.9-windows-amd64-setup.exe $(WIN_TEST_DIR)/old-setup.exe
	test -f $(WIN_TEST_DIR)/sign.key || openssl req -x509 -newkey rsa:2048 -nodes -days 30 \
		-subj "/CN=PostDesk test signing/O=PostDesk CI" -keyout $(WIN_TEST_DIR)/sign.key -out $(WIN_TEST_DIR)/sign.crt 2>/dev/null
	SIGN_CERT=$(WIN_TEST_DIR)/sign.crt SIGN_KEY=$(WIN_TEST_DIR)/sign.key scripts/windows.sh installer

windows:
	@scripts/deps.sh windows
	scripts/windows.sh exe

installer:
	@scripts/deps.sh windows
	scripts/windows.sh installer

lint: $(STATICCHECK)
	@unformatted="$$(gofmt -l .)"; if [ -n "$$unformatted" ]; then \
		echo "gofmt -l: not formatted:" >&2; echo "$$unformatted" >&2; exit 1; fi
	CGO_ENABLED=$(TEST_CGO) $(GO) vet -tags ci ./...
	$(GO) mod tidy -diff
	CGO_ENABLED=$(TEST_CGO) $(STATICCHECK) -tags ci ./...

bench:
	@scripts/deps.sh test
	CGO_ENABLED=$(TEST_CGO) $(GO) test -tags ci -run '^$$' -bench '$(BENCH)' -benchtime $(BENCHTIME) \
		-count $(BENCHCOUNT) -benchmem -timeout 60m $(PKG)

$(STATICCHECK):
	GOBIN=$(CURDIR)/$(dir $(STATICCHECK)) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

# The fyne packaging tool, pinned, built from the Go module proxy into bin/tools.
$(FYNE):
	GOBIN=$(CURDIR)/$(dir $(FYNE)) $(GO) install fyne.io/tools/cmd/fyne@$(FYNE_TOOLS_VERSION)

# `fyne package` reads FyneApp.toml, builds with cgo in release mode and
# writes PostDesk.tar.xz (binary, icon, .desktop file, Makefile to install).
# It also rewrites FyneApp.toml with Build+1; we put the committed file back,
# so Build changes only when someone edits it for a release.
package: $(FYNE)
	@scripts/deps.sh run
	mkdir -p bin dist
	cp FyneApp.toml bin/FyneApp.toml.orig
	status=0; CGO_ENABLED=1 $(FYNE) package -os linux -icon assets/icon.png --release || status=$$?; \
		cp bin/FyneApp.toml.orig FyneApp.toml; exit $$status
	mv -f PostDesk.tar.xz dist/PostDesk-$(APP_VERSION)-linux-$(GOARCH).tar.xz
	@echo "dist/PostDesk-$(APP_VERSION)-linux-$(GOARCH).tar.xz"

e2e: build
	@scripts/deps.sh e2e
	@test -f scripts/e2e.sh || { echo "make e2e: scripts/e2e.sh does not exist yet" >&2; exit 1; }
	bash scripts/e2e.sh $(ARGS)

fmt:
	$(GO) fmt ./...

clean:
	rm -rf bin dist PostDesk.tar.xz
