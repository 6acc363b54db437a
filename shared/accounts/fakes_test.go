package accounts

import (
	"context"
	"strings"
	"sync"

	"github.com/onair/onair/shared/onair"
)

// memStore is a small in-memory profile store.
type memStore struct {
	mu      sync.Mutex
	users   map[string]onair.User
	err     error
	deleted []string
	// failDelete makes DeleteUser fail for these subs.
	failDelete map[string]bool
}

func newMemStore(users ...onair.User) *memStore {
	m := &memStore{users: map[string]onair.User{}, failDelete: map[string]bool{}}
	for _, u := range users {
		m.users[u.Sub] = u
	}
	return m
}

func (m *memStore) CreateUser(_ context.Context, u onair.User) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return m.err
	}
	if _, ok := m.users[u.Sub]; ok {
		return onair.ErrConflict
	}
	u.Version = 1
	m.users[u.Sub] = u
	return nil
}

func (m *memStore) GetUserByEmail(_ context.Context, email string) (onair.User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return onair.User{}, m.err
	}
	for _, u := range m.users {
		if strings.EqualFold(u.Email, email) {
			return u, nil
		}
	}
	return onair.User{}, onair.ErrNotFound
}

func (m *memStore) GetUserByUsername(_ context.Context, name string) (onair.User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return onair.User{}, m.err
	}
	for _, u := range m.users {
		if strings.EqualFold(u.Username, name) {
			return u, nil
		}
	}
	return onair.User{}, onair.ErrNotFound
}

func (m *memStore) DeleteUser(_ context.Context, sub string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failDelete[sub] {
		return onair.Errorf(onair.Unavailable, "", "down")
	}
	m.deleted = append(m.deleted, sub)
	delete(m.users, sub)
	return nil
}
