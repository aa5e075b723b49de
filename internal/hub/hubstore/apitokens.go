package hubstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"strings"

	"postdesk/internal/domain"
)

// API tokens let the province's one-stop system post outcomes
// (POST /v1/outcomes, "Authorization: Bearer TOKEN"). Only a hash is kept.

func apiTokenHash(tok string) string {
	sum := sha256.Sum256([]byte("postdesk-api-token:" + strings.TrimSpace(tok)))
	return hex.EncodeToString(sum[:])
}

// IssueAPIToken makes a token for a system called name; it is shown once.
func (s *Store) IssueAPIToken(ctx context.Context, name string) (string, error) {
	name = domain.Clean(name)
	if name == "" {
		return "", domain.Errf("name", "err.required", "a name for the token is required")
	}
	raw := make([]byte, 24)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	tok := "pdk_" + hex.EncodeToString(raw)
	_, err := s.db.ExecContext(ctx, "INSERT INTO api_tokens(token_hash, name, created_at) VALUES(?, ?, ?)",
		apiTokenHash(tok), name, formatTime(s.Now()))
	return tok, err
}

// APIToken returns the name of a valid (not revoked) token, or ErrNotFound.
func (s *Store) APIToken(ctx context.Context, tok string) (string, error) {
	if tok == "" {
		return "", ErrNotFound
	}
	var name string
	err := s.db.QueryRowContext(ctx, "SELECT name FROM api_tokens WHERE token_hash = ? AND revoked_at = ''", apiTokenHash(tok)).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	return name, err
}
