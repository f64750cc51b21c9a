/* /admin/: the preparation steps, the exams and the banks. */
import { showBanks, showExams } from "./lists.js";

showExams();
showBanks({ compact: true });
