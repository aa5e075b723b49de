package domain

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// Sign-in rules of the desk.
const (
	// MinSecretLen is the shortest PIN or password accepted.
	MinSecretLen = 4
	// MaxSignInTries wrong PINs in a row lock the account…
	MaxSignInTries = 5
	// …for SignInLockout.
	SignInLockout = 5 * time.Minute
)

// ValidSecret checks a new PIN or password: at least MinSecretLen characters,
// no leading or trailing spaces (they are invisible when typed).
func ValidSecret(secret string) error {
	if secret == "" {
		return Errf("", "err.required", "required")
	}
	if utf8.RuneCountInString(secret) < MinSecretLen {
		return Errf("", "err.secret.short", "a PIN or password needs at least %d characters", MinSecretLen).
			WithArgs("N", strconv.Itoa(MinSecretLen))
	}
	if Clean(secret) != secret {
		return Errf("", "err.secret.spaces", "a PIN or password cannot start or end with a space")
	}
	return nil
}
