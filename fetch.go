package tago

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// This file holds the SDK's one kind of request that does not go to the API: fetching a
// file the platform points to (a signed script download link, the snippet catalogue).
// It uses the client's HTTP client and transport but sends no token header, so neither
// the link's host nor a host it redirects to ever sees the client's token.

// maxFetchRedirects bounds how many redirects fetchTo follows.
const maxFetchRedirects = 5

// fetchTo downloads rawURL into w and returns the number of bytes written. It sends no
// token. Redirects are followed, up to maxFetchRedirects, only to URLs checkFetchURL
// accepts; nothing secret travels, since the request carries none of the client's
// credentials. An attempt is retried per the client's policy as long as nothing was
// written to w. limit > 0 fails a body larger than limit bytes. what names the download
// in errors, such as "/analysis/{id}/download (script)"; errors never quote the URL's
// query, which holds the link's signature.
func (c *Client) fetchTo(ctx context.Context, rawURL string, w io.Writer, limit int64, what string) (int64, error) {
	if c == nil || c.hc == nil {
		return 0, errNilClient
	}
	if ctx == nil {
		return 0, invalidf("context", "must not be nil")
	}
	target, err := c.checkFetchURL(rawURL)
	if err != nil {
		return 0, err
	}
	hc := c.hc // our copy of the caller's client: redirects come back as responses
	for attempt := 1; ; attempt++ {
		n, status, ferr := c.fetchOnce(ctx, hc, target, w, limit)
		if ferr == nil {
			return n, nil
		}
		var apiErr *APIError
		var wait time.Duration
		retryable := false
		if errors.As(ferr, &apiErr) {
			apiErr.Method, apiErr.Path, apiErr.Attempts = "GET", what, attempt
			wait = apiErr.RetryAfter
			retryable = n == 0 && retryableStatus(status, wait, true)
		} else {
			// Once part of the body reached w, a retry would write it twice.
			retryable = n == 0 && ctx.Err() == nil && retryableTransport(ferr, true, false)
			if ctx.Err() != nil {
				ferr = ctx.Err()
			}
			ferr = &RequestError{Method: "GET", Path: what, Attempts: attempt, Err: ferr}
		}
		if !retryable || attempt > c.retry.MaxRetries || wait > c.retry.MaxRetryAfter {
			return n, ferr
		}
		if wait <= 0 {
			wait = c.retry.backoff(attempt)
		}
		if serr := c.retry.Sleep(ctx, wait); serr != nil {
			return 0, &RequestError{Method: "GET", Path: what, Attempts: attempt, Err: &retryAbortedError{ctxErr: serr, last: ferr}}
		}
	}
}

// fetchOnce makes one attempt of fetchTo, following redirects. A non-2xx answer is an
// *APIError without Method and Path.
func (c *Client) fetchOnce(ctx context.Context, hc *http.Client, target *url.URL, w io.Writer, limit int64) (int64, int, error) {
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	for hops := 0; ; hops++ {
		req, err := http.NewRequestWithContext(actx, http.MethodGet, target.String(), nil)
		if err != nil {
			return 0, 0, err
		}
		req.Header.Set("User-Agent", c.userAgent)
		start := time.Now()
		resp, err := hc.Do(req)
		if err != nil {
			var uerr *url.Error
			if errors.As(err, &uerr) {
				err = uerr.Err // its text repeats the URL with its signature
			}
			return 0, 0, err
		}
		if c.logger.Enabled(ctx, slog.LevelDebug) {
			c.logger.LogAttrs(ctx, slog.LevelDebug, "tago: fetch", slog.String("host", target.Host),
				slog.String("path", target.EscapedPath()), slog.Int("status", resp.StatusCode),
				slog.Duration("duration", time.Since(start)))
		}
		switch {
		case resp.StatusCode >= 300 && resp.StatusCode < 400 && resp.Header.Get("Location") != "":
			loc := resp.Header.Get("Location")
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
			if hops >= maxFetchRedirects {
				return 0, resp.StatusCode, &APIError{HTTPStatus: resp.StatusCode, Message: fmt.Sprintf("more than %d redirects", maxFetchRedirects)}
			}
			next, err := target.Parse(loc)
			if err != nil {
				return 0, resp.StatusCode, &APIError{HTTPStatus: resp.StatusCode, Message: "redirect to an unreadable location"}
			}
			if target, err = c.checkFetchURL(next.String()); err != nil {
				return 0, resp.StatusCode, &APIError{HTTPStatus: resp.StatusCode,
					Message: "redirect refused: " + strings.TrimPrefix(err.Error(), "tago: invalid input: ")}
			}
			continue
		case resp.StatusCode < 200 || resp.StatusCode > 299:
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 4*maxSnippet))
			resp.Body.Close()
			msg := snippet(body, func(s string) string { return replaceSecret(s, target.RawQuery) })
			return 0, resp.StatusCode, &APIError{HTTPStatus: resp.StatusCode, Message: msg, RetryAfter: retryAfter(resp.Header, "")}
		}
		n, err := copyLimited(w, resp.Body, limit)
		resp.Body.Close()
		if err == nil && resp.ContentLength >= 0 && n != resp.ContentLength {
			err = fmt.Errorf("body cut short: %d of %d bytes", n, resp.ContentLength)
		}
		return n, resp.StatusCode, err
	}
}

// copyLimited copies r to w, failing once more than limit bytes arrive (limit <= 0 for
// no limit); w then holds the first limit bytes.
func copyLimited(w io.Writer, r io.Reader, limit int64) (int64, error) {
	if limit <= 0 {
		return io.Copy(w, r)
	}
	return io.Copy(&capWriter{w: w, left: limit, limit: limit}, r)
}

// capWriter passes at most limit bytes to w and fails past them.
type capWriter struct {
	w           io.Writer
	left, limit int64
}

// Write passes p on up to the limit.
func (c *capWriter) Write(p []byte) (int, error) {
	if int64(len(p)) <= c.left {
		n, err := c.w.Write(p)
		c.left -= int64(n)
		return n, err
	}
	n, err := c.w.Write(p[:c.left])
	c.left -= int64(n)
	if err == nil {
		err = fmt.Errorf("larger than %d bytes", c.limit)
	}
	return n, err
}

// checkFetchURL accepts an absolute https URL without user info, or plain http when the
// host is loopback or the client itself talks plain http (a local or trusted server).
func (c *Client) checkFetchURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, invalidf("download URL", "is not an absolute http(s) URL")
	}
	if u.User != nil {
		return nil, invalidf("download URL", "must not carry credentials")
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) && !strings.HasPrefix(c.baseURL, "http://") {
		return nil, invalidf("download URL", "uses plain http on a non-loopback host")
	}
	return u, nil
}
