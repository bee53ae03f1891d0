package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// contactColumns is the column list scanContact reads, in its order.
const contactColumns = `id, number_id, key, phone, user_id, username, full_name,
	first_name, removed, event_at, payload_id, updated_at`

// SaveContactEvents stores one received payload (body kept verbatim, once)
// and applies its events in one transaction: add upserts, remove marks
// removed; an event older than what is stored, or a replay, changes nothing.
// Events are checked first: if one is unusable nothing is stored and the
// error names it, so the caller still holds everything.
func (d *DB) SaveContactEvents(ctx context.Context, source string, body []byte, events []ContactEvent) (SaveResult, error) {
	for i, e := range events {
		if err := checkEvent(e); err != nil {
			return SaveResult{}, fmt.Errorf("store: save contacts: event %d: %w", i, err)
		}
	}
	sum := sha256.Sum256(body)
	var res SaveResult
	err := d.withTx(ctx, "save contacts", func(tx *sql.Tx) error {
		id, fresh, err := insertPayload(ctx, tx, source, hex.EncodeToString(sum[:]), body)
		if err != nil {
			return err
		}
		res.PayloadID = id
		if !fresh {
			res.Duplicate = true
			return nil
		}
		a, err := newEventApplier(ctx, tx, id)
		if err != nil {
			return err
		}
		for _, e := range events {
			if err := a.apply(ctx, e, &res); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return SaveResult{}, err
	}
	return res, nil
}

func checkEvent(e ContactEvent) error {
	switch {
	case e.NumberID == "":
		return errors.New("no phone number id")
	case e.Key() == "":
		return errors.New("contact has no phone number, user id or username")
	case e.Action != ActionAdd && e.Action != ActionRemove:
		return fmt.Errorf("unknown action %q", e.Action)
	}
	return nil
}

// insertPayload stores body unless a byte-identical one is stored already;
// fresh says which happened.
func insertPayload(ctx context.Context, tx *sql.Tx, source, sum string, body []byte) (id int64, fresh bool, err error) {
	res, err := tx.ExecContext(ctx, `
		INSERT INTO payloads (source, received_at, sha256, body) VALUES (?, ?, ?, ?)
		ON CONFLICT (sha256) DO NOTHING`, source, time.Now().UnixNano(), sum, body)
	if err != nil {
		return 0, false, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		id, idErr := res.LastInsertId()
		return id, true, errors.Join(err, idErr)
	}
	err = tx.QueryRowContext(ctx, `SELECT id FROM payloads WHERE sha256 = ?`, sum).Scan(&id)
	return id, false, err
}

// storedContact is what deciding on an event needs of the stored row.
type storedContact struct {
	id                                           int64
	phone, userID, username, fullName, firstName string
	removed                                      bool
	eventAt                                      int64
}

// sameAs says whether an add event would change nothing but the time.
func (s storedContact) sameAs(e ContactEvent) bool {
	return !s.removed && s.phone == e.Phone && s.userID == e.UserID &&
		s.username == e.Username && s.fullName == e.FullName && s.firstName == e.FirstName
}

// eventApplier holds the statements one payload's events run, prepared once.
type eventApplier struct {
	payloadID                                int64
	find, insert, update, markRemoved, touch *sql.Stmt
}

func newEventApplier(ctx context.Context, tx *sql.Tx, payloadID int64) (*eventApplier, error) {
	s, err := prepareAll(ctx, tx,
		`SELECT id, phone, user_id, username, full_name, first_name, removed, event_at
			FROM contacts WHERE number_id = ? AND key = ?`,
		`INSERT INTO contacts (number_id, key, phone, user_id, username, full_name,
			first_name, removed, event_at, payload_id, raw, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		`UPDATE contacts SET phone = ?, user_id = ?, username = ?, full_name = ?,
			first_name = ?, removed = 0, event_at = ?, payload_id = ?, raw = ?, updated_at = ?
			WHERE id = ?`,
		`UPDATE contacts SET removed = 1, event_at = ?, payload_id = ?, raw = ?, updated_at = ?
			WHERE id = ?`,
		// A newer event that changes nothing still moves event_at, so an
		// older remove arriving later cannot undo it.
		`UPDATE contacts SET event_at = ? WHERE id = ?`)
	if err != nil {
		return nil, err
	}
	return &eventApplier{payloadID, s[0], s[1], s[2], s[3], s[4]}, nil
}

func (a *eventApplier) apply(ctx context.Context, e ContactEvent, res *SaveResult) error {
	at, now := toNanos(e.Timestamp), time.Now().UnixNano()
	var s storedContact
	err := a.find.QueryRowContext(ctx, e.NumberID, e.Key()).Scan(&s.id, &s.phone, &s.userID,
		&s.username, &s.fullName, &s.firstName, &s.removed, &s.eventAt)
	if errors.Is(err, sql.ErrNoRows) {
		// A remove for a contact never seen is kept as removed, so an older
		// add delivered later does not bring it back.
		removed := e.Action == ActionRemove
		_, err = a.insert.ExecContext(ctx, e.NumberID, e.Key(), e.Phone, e.UserID, e.Username,
			e.FullName, e.FirstName, boolInt(removed), at, a.payloadID, e.Raw, now)
		if removed {
			res.Removed++
		} else {
			res.Added++
		}
		return err
	}
	if err != nil {
		return err
	}
	changes := e.Action == ActionAdd && !s.sameAs(e) || e.Action == ActionRemove && !s.removed
	switch {
	case at < s.eventAt || !changes && at == s.eventAt:
		res.Unchanged++
		return nil
	case !changes:
		res.Unchanged++
		_, err = a.touch.ExecContext(ctx, at, s.id)
	case e.Action == ActionRemove:
		res.Removed++
		_, err = a.markRemoved.ExecContext(ctx, at, a.payloadID, e.Raw, now, s.id)
	default:
		res.Updated++
		_, err = a.update.ExecContext(ctx, e.Phone, e.UserID, e.Username, e.FullName,
			e.FirstName, at, a.payloadID, e.Raw, now, s.id)
	}
	return err
}

// Contacts lists the current (not removed) contacts of a number, by id.
func (d *DB) Contacts(ctx context.Context, numberID string) ([]Contact, error) {
	var cs []Contact
	err := d.EachContact(ctx, numberID, func(n int) { cs = make([]Contact, 0, n) },
		func(c Contact) { cs = append(cs, c) })
	if err != nil {
		return nil, err
	}
	return cs, nil
}

// EachContact calls fn with the current contacts of a number, by id, after
// telling size about how many there are. One read transaction holds the
// count and the rows, so a caller sized by it never grows its slice: at
// 100k contacts a growing slice and its discarded copies weigh several
// times the contacts themselves.
func (d *DB) EachContact(ctx context.Context, numberID string, size func(n int), fn func(Contact)) error {
	tx, err := d.sql.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("store: contacts: %w", err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, countContacts, numberID).Scan(&n); err != nil {
		return fmt.Errorf("store: contacts: %w", err)
	}
	size(n)
	rows, err := tx.QueryContext(ctx, `SELECT `+contactColumns+` FROM contacts
		WHERE number_id = ? AND removed = 0 ORDER BY id`, numberID)
	if err != nil {
		return fmt.Errorf("store: contacts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanContact(rows)
		if err != nil {
			return fmt.Errorf("store: contacts: %w", err)
		}
		fn(c)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: contacts: %w", err)
	}
	return nil
}

// ContactsByID returns the given contacts (removed ones included), by id.
// Ids not in the store are left out.
func (d *DB) ContactsByID(ctx context.Context, ids []int64) ([]Contact, error) {
	var all []Contact
	err := forEachChunk(ids, inChunk, func(part []int64) error {
		marks, args := inList(nil, part)
		cs, err := queryAll(ctx, d.sql, scanContact, `SELECT `+contactColumns+` FROM contacts
			WHERE id IN (`+marks+`) ORDER BY id`, args...)
		all = append(all, cs...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: contacts by id: %w", err)
	}
	return all, nil
}

// countContacts counts the current contacts of a number.
const countContacts = `SELECT count(*) FROM contacts WHERE number_id = ? AND removed = 0`

// CountContacts counts the current contacts of a number.
func (d *DB) CountContacts(ctx context.Context, numberID string) (int, error) {
	var n int
	err := d.sql.QueryRowContext(ctx, countContacts, numberID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: count contacts: %w", err)
	}
	return n, nil
}

func scanContact(rows *sql.Rows) (Contact, error) {
	var c Contact
	var eventAt, updatedAt int64
	err := rows.Scan(&c.ID, &c.NumberID, &c.Key, &c.Phone, &c.UserID, &c.Username,
		&c.FullName, &c.FirstName, &c.Removed, &eventAt, &c.PayloadID, &updatedAt)
	c.EventAt, c.UpdatedAt = fromNanos(eventAt), fromNanos(updatedAt)
	return c, err
}
