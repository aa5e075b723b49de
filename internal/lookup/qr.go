package lookup

import (
	"context"
	"crypto/ed25519"

	"postdesk/internal/receipt"
	"postdesk/internal/store"
)

// KeysFor returns the public keys a scanned receipt QR is checked with:
// this device's own and those of the province's other devices that sync
// brought (store.PublicKeyOf). A device known to neither makes the QR
// unverifiable (receipt.ErrUnknownDevice), which the scan box flags.
var KeysFor = func(ctx context.Context, s *store.Store) (receipt.KeyFunc, error) {
	return func(device string) (ed25519.PublicKey, error) {
		pub, ok, err := s.PublicKeyOf(ctx, device)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, receipt.UnknownDevice(device)
		}
		return pub, nil
	}, nil
}

// readReceiptQR is the default QRReader.
func readReceiptQR(ctx context.Context, s *store.Store, text string) (QR, bool) {
	sc, err := receipt.ParseQR(text)
	if err != nil {
		return QR{}, false
	}
	qr := QR{Receipt: sc.Receipt, ReceivedAt: sc.ReceivedAt}
	keys, err := KeysFor(ctx, s)
	if err != nil {
		qr.Err = err
		return qr, true
	}
	qr.Err = sc.VerifyWith(keys)
	return qr, true
}
