/** 'dark' or 'light', following the system as the stylesheet does, for drawing code that cannot read CSS. */
import { useMediaQuery } from './useMediaQuery';

export const useColorScheme = (): 'dark' | 'light' => (useMediaQuery('(prefers-color-scheme: dark)') ? 'dark' : 'light');
