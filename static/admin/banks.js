/* /admin/banks: every bank with its latest revision; templates to download. */
import { showBanks } from "./lists.js";

showBanks();
