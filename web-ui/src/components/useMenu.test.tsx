// @vitest-environment happy-dom
// Menus by keyboard: focus on the first item when opened, arrows, Home and
// End between items (wrapping), Escape closes and refocuses the button.
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { nextMenuItem, useMenu } from './useMenu';

describe('nextMenuItem', () => {
  const items = ['a', 'b', 'c'];
  it.each([
    ['ArrowDown', null, 'a'],
    ['ArrowDown', 'a', 'b'],
    ['ArrowDown', 'c', 'a'],
    ['ArrowUp', 'a', 'c'],
    ['ArrowUp', 'c', 'b'],
    ['ArrowUp', null, 'c'],
    ['Home', 'c', 'a'],
    ['End', 'a', 'c'],
    ['Enter', 'a', undefined],
  ] as const)('%s from %s goes to %s', (key, from, to) => {
    expect(nextMenuItem(items, from, key)).toBe(to);
  });
  it('has nowhere to go in an empty menu', () => {
    expect(nextMenuItem([], null, 'ArrowDown')).toBeUndefined();
  });
});

function Menu() {
  const { open, setOpen, ref, onMenuKeyDown } = useMenu();
  return (
    <div ref={ref}>
      <button type="button" aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen((o) => !o)}>Options</button>
      {open && (
        <div role="menu" aria-label="Options" onKeyDown={onMenuKeyDown}>
          <button type="button" role="menuitem">First</button>
          <button type="button" role="menuitem">Second</button>
          <button type="button" role="menuitem">Third</button>
        </div>
      )}
    </div>
  );
}

describe('useMenu', () => {
  afterEach(cleanup);
  it('moves focus by keyboard and gives it back on Escape', () => {
    render(<Menu />);
    const button = screen.getByRole('button', { name: 'Options' });
    fireEvent.click(button);
    const menu = screen.getByRole('menu', { name: 'Options' });
    expect(document.activeElement).toBe(screen.getByRole('menuitem', { name: 'First' }));
    fireEvent.keyDown(menu, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(screen.getByRole('menuitem', { name: 'Second' }));
    fireEvent.keyDown(menu, { key: 'End' });
    expect(document.activeElement).toBe(screen.getByRole('menuitem', { name: 'Third' }));
    fireEvent.keyDown(menu, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(screen.getByRole('menuitem', { name: 'First' }));
    fireEvent.keyDown(document, { key: 'Escape' });
    expect(screen.queryByRole('menu')).toBeNull();
    expect(document.activeElement).toBe(button);
  });

  it('closes on a click outside, not inside', () => {
    render(<><Menu /><p>elsewhere</p></>);
    fireEvent.click(screen.getByRole('button', { name: 'Options' }));
    fireEvent.mouseDown(screen.getByRole('menuitem', { name: 'Second' }));
    expect(screen.getByRole('menu')).toBeTruthy();
    fireEvent.mouseDown(screen.getByText('elsewhere'));
    expect(screen.queryByRole('menu')).toBeNull();
  });
});
