/* /admin/exams: every exam with its status. */
import { showExams } from "./lists.js";

showExams();
