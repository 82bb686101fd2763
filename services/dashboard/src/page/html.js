/** htm bound to preact's h. */
import htm from 'htm';
import { h } from 'preact';

/** Tagged template for preact elements. */
export const html = htm.bind(h);
