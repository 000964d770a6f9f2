// Registers every ONNX op implementation (each file calls defineOps when imported).
import './elementwise.js';
import './nn.js';
import './reduce.js';
import './resize.js';
import './rnn.js';
import './sequence.js';
import './shape.js';
import './string.js';
import './training.js';
