package store

import (
	"context"
	"database/sql"
	"errors"

	"postdesk/internal/domain"
)

// Setup records this database's post point and device letter. It can be done
// once; a second call is refused so receipt numbers never change owner.
func (s *Store) Setup(ctx context.Context, pp domain.PostPoint, letter string) error {
	pp.Code, pp.Name = domain.Clean(pp.Code), domain.Clean(pp.Name)
	pp.Commune, pp.Province = domain.Clean(pp.Commune), domain.Clean(pp.Province)
	var errs domain.Errors
	if err := domain.ValidPostPointCode(pp.Code); err != nil {
		errs = append(errs, asField(err, "post_point.code"))
	}
	if err := domain.ValidDeviceLetter(letter); err != nil {
		errs = append(errs, asField(err, "device.letter"))
	}
	if pp.Name == "" {
		errs = append(errs, domain.Errf("post_point.name", "err.required", "required"))
	}
	if err := errs.Err(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM device").Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return errors.New("this database already belongs to a post point and device")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO device(id, post_point_code, post_point_name, commune, province, letter, created_at)
			VALUES(1, ?, ?, ?, ?, ?, ?)`, pp.Code, pp.Name, pp.Commune, pp.Province, letter, formatTime(s.Now())); err != nil {
			return err
		}
		return nil
	})
}

// Device returns this database's device and post point, or ErrNotSetUp.
func (s *Store) Device(ctx context.Context) (domain.Device, domain.PostPoint, error) {
	return deviceOf(ctx, s.db)
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func deviceOf(ctx context.Context, q queryer) (domain.Device, domain.PostPoint, error) {
	var d domain.Device
	var pp domain.PostPoint
	err := q.QueryRowContext(ctx, "SELECT post_point_code, post_point_name, commune, province, letter FROM device WHERE id = 1").
		Scan(&pp.Code, &pp.Name, &pp.Commune, &pp.Province, &d.Letter)
	if errors.Is(err, sql.ErrNoRows) {
		return d, pp, ErrNotSetUp
	}
	d.PostPointCode = pp.Code
	return d, pp, err
}

// asField names the field of a validator's error.
func asField(err error, field string) *domain.FieldError {
	var fe *domain.FieldError
	if errors.As(err, &fe) {
		return fe.In(field)
	}
	return domain.Errf(field, "err.invalid", "%v", err)
}
