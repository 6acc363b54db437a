// @vitest-environment happy-dom
import { act, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OverlayView, useOverlays } from './OverlayLayer';

let feed: (text: string) => void = () => undefined;
function Harness() {
  const { shown, onCue } = useOverlays();
  feed = onCue;
  return <OverlayView shown={shown} />;
}

const cue = (o: object) => JSON.stringify({ v: 1, startTime: 1_000, ...o });
const quiz = cue({ name: 'quiz', expiry: 11_000, data: { question: 'Closest planet?', answers: ['Venus', 'Mercury', 'Mars'], correctAnswerIndex: 1, duration: 10 } });

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('overlays from timed metadata', () => {
  it('a quiz is answered once, shows the correct answer, and closes', () => {
    render(<Harness />);
    act(() => feed(quiz));
    expect(screen.getByRole('group', { name: 'Quiz' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Venus' }));
    expect(screen.getByRole('status').textContent).toBe('Not quite.');
    expect((screen.getByRole('button', { name: 'Mercury' }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByRole('button', { name: 'Mercury' }).className).toContain('correct');
    act(() => vi.advanceTimersByTime(2_000));
    expect(screen.queryByRole('group', { name: 'Quiz' })).toBeNull();
  });

  it('a timed overlay hides after its duration, counted from arrival', () => {
    render(<Harness />);
    act(() => feed(cue({ name: 'notice', expiry: 6_000, data: { title: 'Giveaway', message: 'Soon', duration: 5 } })));
    expect(screen.getByRole('status', { name: 'Notice' }).textContent).toContain('Giveaway');
    act(() => vi.advanceTimersByTime(4_900));
    expect(screen.queryByRole('status', { name: 'Notice' })).not.toBeNull();
    act(() => vi.advanceTimersByTime(200));
    expect(screen.queryByRole('status', { name: 'Notice' })).toBeNull();
  });

  it('a product stays until replaced; a stop hides it; garbage is ignored', () => {
    render(<Harness />);
    act(() => feed(cue({ name: 'product', data: { title: 'Sneakers', price: '$250', imageUrl: 'https://x/y.png', description: 'Comfy' } })));
    act(() => vi.advanceTimersByTime(60_000));
    expect(screen.getByRole('group', { name: 'Featured product' }).textContent).toContain('Sneakers');
    fireEvent.click(screen.getByRole('button', { name: 'Learn more' }));
    expect(screen.getByText('Comfy')).toBeTruthy();
    act(() => feed('not json'));
    expect(screen.queryByRole('group', { name: 'Featured product' })).not.toBeNull();
    act(() => feed(cue({ name: null })));
    expect(screen.queryByRole('group', { name: 'Featured product' })).toBeNull();
  });

  it('a new overlay replaces the shown one, and the old timer does not hide it', () => {
    render(<Harness />);
    act(() => feed(cue({ name: 'notice', expiry: 3_000, data: { title: 'First', message: 'm', duration: 2 } })));
    act(() => vi.advanceTimersByTime(1_000));
    act(() => feed(cue({ name: 'notice', expiry: 11_000, data: { title: 'Second', message: 'm', duration: 10 } })));
    act(() => vi.advanceTimersByTime(1_500));
    expect(screen.getByRole('status', { name: 'Notice' }).textContent).toContain('Second');
  });

  it('an Amazon product links out with Buy now', () => {
    render(<Harness />);
    act(() => feed(cue({ name: 'amazon_product', data: { title: 'Earbuds', images: { large: { url: 'https://m/i.jpg' } }, price: { displayAmount: '$49.99' }, productURL: 'https://www.amazon.com/dp/B0?tag=t-20' } })));
    const buy = screen.getByRole('link', { name: 'Buy now' });
    expect(buy.getAttribute('href')).toBe('https://www.amazon.com/dp/B0?tag=t-20');
    expect(buy.getAttribute('rel')).toContain('noopener');
  });
});
