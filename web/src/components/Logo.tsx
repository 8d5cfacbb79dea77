/** The Kadam mark: a step. Decorative; the product name is always written beside it. */
export function Logo() {
  return (
    <svg class="logo" viewBox="0 0 32 32" width="28" height="28" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="6" fill="#ffffff" />
      <path d="M7 24h6v-6h6v-6h6" fill="none" stroke="#163a5f" stroke-width="3" stroke-linecap="round" stroke-linejoin="round" />
    </svg>
  );
}
