import type { ComponentChildren } from 'preact';
import { onLinkClick } from '../router';

interface LinkProps {
  href: string;
  class?: string;
  current?: boolean;
  onNavigate?: () => void;
  children: ComponentChildren;
}

/** An in-app link: a real <a href> (so it opens in a new tab too) that navigates without a page load. */
export function Link({ href, class: className, current = false, onNavigate, children }: LinkProps) {
  return (
    <a
      href={href}
      class={className}
      aria-current={current ? 'page' : undefined}
      onClick={(event) => onLinkClick(event, href, onNavigate)}
    >
      {children}
    </a>
  );
}
