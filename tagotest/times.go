package tagotest

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
)

// jsTime is a time that marshals the way the platform prints dates: UTC, millisecond
// precision, "2024-01-02T03:04:05.000Z".
type jsTime time.Time

const jsLayout = "2006-01-02T15:04:05.000Z07:00"

func (t jsTime) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(t).UTC().Format(jsLayout) + `"`), nil
}

// timeOrNull returns t as a jsTime, or nil for the zero time (printed as null).
func timeOrNull(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return jsTime(t)
}

var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04:05Z0700",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04",
	"2006-01-02 15:04",
	"2006-01-02",
}

// parseDate reads a date the way the platform accepts it in queries and bodies: ISO-8601,
// "YYYY-MM-DD HH:mm:ss", a bare date (all in UTC unless an offset is given), or a relative
// expression such as "1 day" or "3 hours", which counts back from now (forward when
// future is set, as for expire_time).
func parseDate(s string, now time.Time, future bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errors.New("empty date")
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	// A "+hh:mm" offset whose "+" arrived as a space (an unencoded query).
	if n := len(s); n > 6 && s[n-6] == ' ' && s[n-3] == ':' {
		if t, err := time.Parse(time.RFC3339Nano, s[:n-6]+"+"+s[n-5:]); err == nil {
			return t.UTC(), nil
		}
	}
	if d, ok := parseRelative(s, now, future); ok {
		return d, nil
	}
	return time.Time{}, errors.New("invalid date " + strconv.Quote(s))
}

// parseRelative reads "N unit" (unit: second, minute, hour, day, week, month, quarter,
// year, singular or plural).
func parseRelative(s string, now time.Time, future bool) (time.Time, bool) {
	f := strings.Fields(strings.ToLower(s))
	if len(f) != 2 {
		return time.Time{}, false
	}
	n, err := strconv.Atoi(f[0])
	if err != nil || n < 0 {
		return time.Time{}, false
	}
	if !future {
		n = -n
	}
	switch strings.TrimSuffix(f[1], "s") {
	case "second":
		return now.Add(time.Duration(n) * time.Second), true
	case "minute":
		return now.Add(time.Duration(n) * time.Minute), true
	case "hour":
		return now.Add(time.Duration(n) * time.Hour), true
	case "day":
		return now.AddDate(0, 0, n), true
	case "week":
		return now.AddDate(0, 0, 7*n), true
	case "month":
		return now.AddDate(0, n, 0), true
	case "quarter":
		return now.AddDate(0, 3*n, 0), true
	case "year":
		return now.AddDate(n, 0, 0), true
	}
	return time.Time{}, false
}

// parseDataTime reads a data point's time: a date string as parseDate accepts it, or a
// Unix timestamp in seconds (or milliseconds, when it is too large to be seconds).
func parseDataTime(raw json.RawMessage, now time.Time) (time.Time, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return now, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		if s == "" {
			return now, nil
		}
		return parseDate(s, now, false)
	}
	var n float64
	if err := json.Unmarshal(raw, &n); err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
		return time.Time{}, errors.New("time must be a date string or a Unix timestamp")
	}
	if math.Abs(n) >= 1e11 {
		return time.UnixMilli(int64(n)).UTC(), nil
	}
	sec, frac := math.Modf(n)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
}

// parseExpire reads an expire_time: "never" (or nothing) is the zero time.
func parseExpire(s string, now time.Time) (time.Time, error) {
	if s == "" || strings.EqualFold(s, "never") {
		return time.Time{}, nil
	}
	return parseDate(s, now, true)
}

// expireOut prints an expiry: "never" or the date.
func expireOut(t time.Time) any {
	if t.IsZero() {
		return "never"
	}
	return jsTime(t)
}
