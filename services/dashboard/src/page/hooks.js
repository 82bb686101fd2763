/** preact's hooks, from one place. */
export { useEffect, useMemo, useRef, useState } from 'preact/hooks';
