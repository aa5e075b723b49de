package hub

import (
	"errors"
	"fmt"

	"postdesk/internal/syncproto"
)

// The hub answers refusals with the protocol's error codes
// (syncproto.Code*), so a device knows what to do: gap → resend from
// ExpectedSeq; revoked → stop; conflict → stop and show an engineer.

func refuse(code, format string, a ...any) *syncproto.Error {
	return &syncproto.Error{Code: code, Message: fmt.Sprintf(format, a...)}
}

// AsRefusal returns err as a protocol error; any other error is an internal one.
func AsRefusal(err error) *syncproto.Error {
	var r *syncproto.Error
	if errors.As(err, &r) {
		return r
	}
	return &syncproto.Error{Code: syncproto.CodeInternal, Message: err.Error()}
}

// IsRefusal reports whether err is the hub saying no (as opposed to failing).
func IsRefusal(err error) bool {
	var r *syncproto.Error
	return errors.As(err, &r) && r.Code != syncproto.CodeInternal
}
