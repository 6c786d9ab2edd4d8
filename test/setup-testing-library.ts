/**
 * The renderer tests' waits (`waitFor`, `findBy…`) give up after 1 s by default. On this project's
 * 2-core machines two test files, a Chromium and the models share the cores, so a render can take
 * longer: a generous limit keeps the tests about behaviour, not about the machine's load. A wait
 * still ends as soon as its condition holds.
 */
import { configure } from '@testing-library/dom';

configure({ asyncUtilTimeout: 10_000 });
