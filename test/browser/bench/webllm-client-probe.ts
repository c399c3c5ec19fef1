/**
 * Size probe (bench build only): the smallest page that uses WebLLM's page-side client, as a page would if
 * Liuhen used CreateWebWorkerMLCEngine directly. Its first-load JS is what the page would have to download.
 */
import { CreateWebWorkerMLCEngine } from '@mlc-ai/web-llm';

document.body.dataset.client = typeof CreateWebWorkerMLCEngine;
