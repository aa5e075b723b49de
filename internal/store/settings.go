package store

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"postdesk/internal/domain"
)

// Settings returns the post point's settings, defaults filled in.
func (s *Store) Settings(ctx context.Context) (domain.Settings, error) {
	raw, err := s.Meta(ctx, "settings", "")
	if err != nil {
		return domain.Settings{}, err
	}
	if raw == "" {
		return domain.DefaultSettings(), nil // never saved: every default, including 0-able ones like transit days
	}
	var st domain.Settings
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		return domain.Settings{}, fmt.Errorf("stored settings unreadable: %w", err)
	}
	return st.WithDefaults(), nil
}

// SaveSettings stores settings and records who changed them.
func (s *Store) SaveSettings(ctx context.Context, staff string, st domain.Settings) error {
	raw, err := json.Marshal(st)
	if err != nil {
		return err
	}
	old, err := s.Settings(ctx)
	if err != nil {
		return err
	}
	// The event says whether the post point's shared settings changed: only
	// then does it reach the other devices' settings (peers.go).
	oldRaw, _ := json.Marshal(old)
	sharedRaw, _ := json.Marshal(old.WithShared(st))
	shared := string(oldRaw) != string(sharedRaw)
	payload, err := json.Marshal(settingsEvent{Settings: st, Shared: shared})
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES('settings', ?)
			ON CONFLICT(key) DO UPDATE SET value = excluded.value`, string(raw)); err != nil {
			return err
		}
		dev, _, err := deviceOf(ctx, tx)
		if errors.Is(err, ErrNotSetUp) {
			return nil
		} else if err != nil {
			return err
		}
		// The post point's shared settings follow the latest change by
		// (at, device) on every device: this one is recorded after the
		// latest known here, whatever this PC's clock says.
		var mark string
		if err := tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'settings_shared_at'").Scan(&mark); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		at := s.Now().UTC()
		if len(mark) >= len(domain.TimeLayout) {
			if t, err := parseTime(mark[:len(domain.TimeLayout)]); err == nil {
				at = domain.CausalTime(at, t)
			}
		}
		r, err := s.newRecorder(ctx, tx)
		if err != nil {
			return err
		}
		defer r.close()
		e := &domain.Event{Kind: domain.KindSettingsChanged, Staff: staff, At: at, Payload: payload}
		if _, err := r.append(e, nil, false); err != nil {
			return err
		}
		if !shared {
			return nil
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES('settings_shared_at', ?)
			ON CONFLICT(key) DO UPDATE SET value = excluded.value`, formatTime(e.At)+" "+dev.ID())
		return err
	})
}

// DeviceKey returns the device's ed25519 signing key, making it on first use.
// It signs receipts' QR codes and sync batches; the private half never leaves
// this database.
func (s *Store) DeviceKey(ctx context.Context) (ed25519.PrivateKey, error) {
	var seed []byte
	err := s.db.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'device_key_seed'").Scan(&seed)
	if err == nil && len(seed) == ed25519.SeedSize {
		return ed25519.NewKeyFromSeed(seed), nil
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	seed = make([]byte, ed25519.SeedSize)
	if _, err := rand.Read(seed); err != nil {
		return nil, err
	}
	// INSERT OR IGNORE: if another call won the race, read its key back.
	if _, err := s.db.ExecContext(ctx, "INSERT OR IGNORE INTO meta(key, value) VALUES('device_key_seed', ?)", seed); err != nil {
		return nil, err
	}
	if err := s.db.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'device_key_seed'").Scan(&seed); err != nil {
		return nil, err
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// settingsEvent is the payload of settings.changed: the settings, and
// whether the post point's shared part changed.
type settingsEvent struct {
	domain.Settings
	Shared bool `json:"shared_changed,omitempty"`
}
