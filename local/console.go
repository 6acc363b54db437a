package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"
)

// consoleHandler prints logs for a developer's terminal: time, component,
// message, then the attributes — not JSON (the functions' own JSON logs are
// attributes of these lines).
type consoleHandler struct {
	mu    *sync.Mutex
	w     io.Writer
	level slog.Level
	attrs []slog.Attr
}

func newConsoleHandler(w io.Writer, level slog.Level) *consoleHandler {
	return &consoleHandler{mu: &sync.Mutex{}, w: w, level: level}
}

func (h *consoleHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level }

func (h *consoleHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Time.Format(time.TimeOnly))
	b.WriteByte(' ')
	if r.Level >= slog.LevelWarn {
		b.WriteString(r.Level.String())
		b.WriteByte(' ')
	}
	attrs := map[string]string{}
	var keys []string
	add := func(a slog.Attr) {
		if a.Key == "" {
			return
		}
		if _, ok := attrs[a.Key]; !ok {
			keys = append(keys, a.Key)
		}
		attrs[a.Key] = a.Value.String()
	}
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(func(a slog.Attr) bool { add(a); return true })
	for _, k := range []string{"component", "function"} {
		if v, ok := attrs[k]; ok {
			fmt.Fprintf(&b, "[%s] ", v)
			delete(attrs, k)
		}
	}
	b.WriteString(r.Message)
	sort.Strings(keys)
	for _, k := range keys {
		if v, ok := attrs[k]; ok {
			fmt.Fprintf(&b, " %s=%s", k, v)
		}
	}
	b.WriteByte('\n')
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := io.WriteString(h.w, b.String())
	return err
}

func (h *consoleHandler) WithAttrs(as []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append(append([]slog.Attr{}, h.attrs...), as...)
	return &c
}

func (h *consoleHandler) WithGroup(string) slog.Handler { return h }
